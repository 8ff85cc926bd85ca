import type { components } from '../functions/generated/openapi-types.ts';

/** An RFC 9457 problem document, as openapi.yaml's `Problem` schema defines it. */
export type Problem = components['schemas']['Problem'];

/** One field of a refused request, and what is wrong with it. */
export type ProblemField = NonNullable<Problem['errors']>[number];

/**
 * The API refused a request: the problem+json it answered, field by field. A response that
 * is not problem+json (a proxy's HTML page, an empty 502) still becomes one, with the HTTP
 * status, its reason phrase as the title and the start of the body as the detail, so a
 * caller branches on one kind of error.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  /** A stable URI naming the kind of problem (`https://efs-volumes.dev/problems/<slug>`). */
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  readonly errors: readonly ProblemField[];

  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.errors = problem.errors ?? [];
  }

  /** The problem document, as the API sent it (for `--output json` and logs). */
  toJSON(): Problem {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(this.instance === undefined ? {} : { instance: this.instance }),
      ...(this.errors.length > 0 ? { errors: [...this.errors] } : {}),
    };
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const { type, title, status } = value as Record<string, unknown>;
  return typeof type === 'string' && typeof title === 'string' && typeof status === 'number';
}

/** The longest part of a non-problem body kept as a detail: enough to recognise it. */
const DETAIL_LIMIT = 300;

/**
 * The ProblemError a refused response stands for: its problem+json when it has one, else one
 * made from the status and the body's first characters.
 *
 * @param body the response body, already read: parsed JSON, or text when it was not JSON
 */
export function problemErrorOf(response: Response, body: unknown): ProblemError {
  if (isProblem(body)) return new ProblemError(body);
  const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  const detail = text.trim().slice(0, DETAIL_LIMIT);
  return new ProblemError({
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    ...(detail ? { detail } : {}),
  });
}
