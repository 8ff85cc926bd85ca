import type { TestProject } from 'vitest/node';
import { type MotoServer, startMoto } from '../../local/moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

let moto: MotoServer | undefined;

/** Starts one moto_server for the whole run; every test file shares it, isolated by unique names. */
export async function setup(project: TestProject): Promise<void> {
  moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}
