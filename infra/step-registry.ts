// The registry check of the workflow steps: the ASL files name the steps (`${…FunctionArn}`),
// functions/steps holds their handlers, the function catalog gives each one a role. Nothing
// else ties the three together, so this says, in one list, every piece that is missing or extra
// and what to add or remove. Plain Node (no aws-cdk-lib): the tests run it on the project and
// on a fixture directory alike.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pascalCase } from './workflow-steps.ts';

/** What the check needs of a catalog entry (infra/function-catalog.ts `CatalogFunction`). */
export interface RegisteredStep {
  /** The ASL placeholder's name without `FunctionArn`: `ResolveCluster`. */
  readonly name: string;
  /** The handler file, relative to the root: `functions/steps/resolve-cluster.ts`. */
  readonly entry: string;
  /** The role the step runs as, whose IAM statements say what it may do. */
  readonly role: string;
}

export interface StepRegistryLayout {
  /** The project root (or a fixture's directory); every other path is relative to it. */
  readonly root: string;
  /** The ASL files, relative to the root: `statemachine/provision.asl.json`. */
  readonly aslFiles: readonly string[];
  /** The folder of step handlers, relative to the root. @default functions/steps */
  readonly stepsDirectory?: string;
  /** The catalog's steps. */
  readonly steps: readonly RegisteredStep[];
}

const STEP_PLACEHOLDER = /\$\{([A-Za-z0-9]+)FunctionArn\}/g;

/** `ResolveCluster` → `resolve-cluster`: the convention from a step's name to its file. */
export function kebabCase(pascal: string): string {
  return pascal.replace(/(?<=[a-z0-9])([A-Z])/g, '-$1').toLowerCase();
}

/** The step names (`ResolveCluster`) an ASL document's `${…FunctionArn}` placeholders name. */
export function aslStepNames(definition: string): string[] {
  return [...new Set([...definition.matchAll(STEP_PLACEHOLDER)].map((match) => match[1] ?? ''))];
}

/**
 * Every way the ASL files, the handler files and the catalog disagree, each as a sentence that
 * says what to add or remove; empty when they agree.
 */
export function stepRegistryProblems(layout: StepRegistryLayout): string[] {
  const stepsDirectory = layout.stepsDirectory ?? 'functions/steps';
  const problems: string[] = [];
  const catalog = new Map(layout.steps.map((step) => [step.name, step]));
  const named = new Set<string>();

  for (const file of layout.aslFiles) {
    for (const name of aslStepNames(readFileSync(join(layout.root, file), 'utf8'))) {
      named.add(name);
      if (!catalog.has(name)) {
        problems.push(
          `${file} names \${${name}FunctionArn}, but the function catalog has no step ${name}: ` +
            `add '${kebabCase(name)}' to WORKFLOW_STEPS in infra/workflow-steps.ts and its IAM needs to STEP_ACCESS in infra/workflow.ts`,
        );
      }
    }
  }

  for (const step of layout.steps) {
    if (!existsSync(join(layout.root, step.entry))) {
      problems.push(
        `step ${step.name} has no handler: add ${step.entry} exporting \`handler\` ` +
          `(functions/steps/create-file-system.ts is the model), or remove \${${step.name}FunctionArn} from the ASL`,
      );
    }
    if (step.role === '') {
      problems.push(`step ${step.name} has no role in the function catalog`);
    }
    if (!named.has(step.name)) {
      problems.push(
        `step ${step.name} is in the function catalog but no ASL file (${layout.aslFiles.join(', ')}) ` +
          `names \${${step.name}FunctionArn}: remove it from infra/workflow-steps.ts or add its Task state`,
      );
    }
  }

  const entries = new Set(layout.steps.map((step) => step.entry));
  const directory = join(layout.root, stepsDirectory);
  const handlerFiles = existsSync(directory)
    ? readdirSync(directory).filter((file) => file.endsWith('.ts'))
    : [];
  for (const file of handlerFiles) {
    const entry = `${stepsDirectory}/${file}`;
    if (!entries.has(entry)) {
      problems.push(
        `${entry} is the handler of no step: name \${${pascalCase(file.replace(/\.ts$/, ''))}FunctionArn} in an ASL file ` +
          'and register the step, or delete the file',
      );
    }
  }
  return problems;
}
