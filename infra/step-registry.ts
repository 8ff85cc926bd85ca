// The workflows' steps as the ASL files name them (`${…FunctionArn}`), and the registry check:
// the ASL files, the step declarations (infra/steps.ts) and the handlers in functions/steps
// must name the same steps. Nothing but this check ties the three together, so it says, in one
// list, every piece that is missing or extra and what to add or remove. Plain Node (no
// aws-cdk-lib): the tests run it on the project and on a fixture directory alike.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kebabCase } from './naming.ts';
import { STEPS, type StepName, stepEntryOf, stepFunctionName } from './steps.ts';

/** What the check needs of a step's declaration. */
export interface RegisteredStep {
  /** The workflows whose ASL files it says name it. */
  readonly workflows: readonly string[];
}

export interface StepRegistryLayout {
  /** The project root (or a fixture's directory); every other path is relative to it. */
  readonly root: string;
  /** The workflows, each with its ASL file ({@link aslFileOf}). */
  readonly workflows: readonly string[];
  /** The declared steps, by name (`resolve-cluster`). */
  readonly steps: Readonly<Record<string, RegisteredStep>>;
}

/** Where the steps' handlers are ({@link stepEntryOf}), each file a step's. */
const HANDLER_DIRECTORY = 'functions/steps';

const STEP_PLACEHOLDER = /\$\{([A-Za-z0-9]+)FunctionArn\}/g;

/** The ASL file of a workflow, relative to the project root. */
export function aslFileOf(workflow: string): string {
  return `statemachine/${workflow}.asl.json`;
}

/** The ASL placeholder a step's Lambda ARN replaces: `resolve-cluster` → `ResolveClusterFunctionArn`. */
export function placeholderOf(step: string): string {
  return `${stepFunctionName(step)}FunctionArn`;
}

/** The names of the `${…}` placeholders an ASL document uses, each once, in order. */
export function aslPlaceholders(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1] ?? ''))];
}

/** Reads an ASL file's placeholders. */
export function aslFilePlaceholders(path: string): string[] {
  return aslPlaceholders(readFileSync(path, 'utf8'));
}

/** The steps (`resolve-cluster`) an ASL document's `${…FunctionArn}` placeholders name, in order. */
export function aslStepNames(definition: string): string[] {
  return [
    ...new Set(
      [...definition.matchAll(STEP_PLACEHOLDER)].map((match) => kebabCase(match[1] ?? '')),
    ),
  ];
}

/**
 * The steps a workflow runs, in the order its ASL file first names them: what its state machine
 * substitutes and may invoke.
 * @throws Error for a placeholder no step declares (the registry check says what to add)
 */
export function workflowSteps(root: string, workflow: string): StepName[] {
  const file = aslFileOf(workflow);
  return aslStepNames(readFileSync(join(root, file), 'utf8')).map((step) => {
    if (!Object.hasOwn(STEPS, step)) {
      throw new Error(
        `${file} names \${${placeholderOf(step)}}, which no step of infra/steps.ts declares`,
      );
    }
    return step as StepName;
  });
}

/** `a, b` or `none`. */
function listed(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : 'none';
}

/**
 * Every way the ASL files, the step declarations and the handler files disagree, each as a
 * sentence that says what to add or remove; empty when they agree.
 */
export function stepRegistryProblems(layout: StepRegistryLayout): string[] {
  const problems: string[] = [];
  const namedBy = new Map<string, string[]>();

  for (const workflow of layout.workflows) {
    const file = aslFileOf(workflow);
    for (const step of aslStepNames(readFileSync(join(layout.root, file), 'utf8'))) {
      namedBy.set(step, [...(namedBy.get(step) ?? []), workflow]);
      if (!Object.hasOwn(layout.steps, step)) {
        problems.push(
          `${file} names \${${placeholderOf(step)}}, but infra/steps.ts declares no step ${step}: ` +
            `add '${step}' to its table, with its workflows and its IAM needs`,
        );
      }
    }
  }

  for (const [step, declaration] of Object.entries(layout.steps)) {
    const entry = stepEntryOf(step);
    if (!existsSync(join(layout.root, entry))) {
      problems.push(
        `step ${step} has no handler: add ${entry} exporting \`handler\` ` +
          `(functions/steps/create-file-system.ts is the model), or remove \${${placeholderOf(step)}} from the ASL`,
      );
    }
    const named = namedBy.get(step) ?? [];
    if (named.length === 0) {
      problems.push(
        `step ${step} is declared in infra/steps.ts but no ASL file (${layout.workflows.map(aslFileOf).join(', ')}) ` +
          `names \${${placeholderOf(step)}}: remove its declaration or add its Task state`,
      );
    } else if ([...declaration.workflows].sort().join() !== [...named].sort().join()) {
      problems.push(
        `step ${step} declares the workflows ${listed(declaration.workflows)}, but the ASL files of ${listed(named)} ` +
          `name \${${placeholderOf(step)}}: declare workflows [${named.map((name) => `'${name}'`).join(', ')}]`,
      );
    }
  }

  const directory = join(layout.root, HANDLER_DIRECTORY);
  const handlerFiles = existsSync(directory)
    ? readdirSync(directory).filter((file) => file.endsWith('.ts'))
    : [];
  for (const file of handlerFiles) {
    const step = file.replace(/\.ts$/, '');
    if (!Object.hasOwn(layout.steps, step)) {
      problems.push(
        `${HANDLER_DIRECTORY}/${file} is the handler of no step: name \${${placeholderOf(step)}} in an ASL file ` +
          `and declare '${step}' in infra/steps.ts, or delete the file`,
      );
    }
  }
  return problems;
}
