// The error answers of AWS's protocols, in the shapes the SDK parses: the fault proxy's
// injected faults and the AWS model's refusals both answer with these.
import { randomUUID } from 'node:crypto';

export type AwsProtocol = 'json' | 'rest-json' | 'query' | 'ec2';

/** What a request is, as the fault rules and the AWS model see it. */
export interface AwsCall {
  readonly service: string;
  readonly operation: string;
  readonly protocol: AwsProtocol;
}

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type ErrorKind = 'throttling' | 'internal-error' | 'service-unavailable';

// Per protocol: the status, code and message each service family answers with.
const ERRORS: Record<'json' | 'ec2' | 'query', Record<ErrorKind, [number, string, string]>> = {
  json: {
    throttling: [400, 'ThrottlingException', 'Rate exceeded'],
    'internal-error': [500, 'InternalFailure', 'The request processing has failed.'],
    'service-unavailable': [503, 'ServiceUnavailable', 'Service is unavailable.'],
  },
  ec2: {
    throttling: [503, 'RequestLimitExceeded', 'Request limit exceeded.'],
    'internal-error': [500, 'InternalError', 'An internal error has occurred.'],
    'service-unavailable': [503, 'Unavailable', "The server is overloaded and can't handle it."],
  },
  query: {
    throttling: [400, 'Throttling', 'Rate exceeded'],
    'internal-error': [500, 'InternalFailure', 'The request processing has failed.'],
    'service-unavailable': [503, 'ServiceUnavailable', 'Service is unavailable.'],
  },
};

/** EC2's query-protocol XML error (e.g. DependencyViolation, InvalidGroup.NotFound). */
export function ec2ErrorAnswer(status: number, code: string, message: string): ErrorAnswer {
  return {
    status,
    headers: { 'Content-Type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`,
  };
}

/** A REST-JSON error (EFS, EKS): the code in `x-amzn-ErrorType`, the service's own body. */
function restJsonErrorAnswer(status: number, code: string, body: object): ErrorAnswer {
  return {
    status,
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': code,
      'x-amzn-RequestId': randomUUID(),
    },
    body: JSON.stringify(body),
  };
}

/**
 * EFS's REST-JSON error: the code in `x-amzn-ErrorType` and the body's `ErrorCode` (EFS's
 * error shapes carry `ErrorCode` and `Message`, some more members such as `AccessPointId`).
 */
export function efsErrorAnswer(
  status: number,
  code: string,
  message: string,
  members: Readonly<Record<string, unknown>> = {},
): ErrorAnswer {
  return restJsonErrorAnswer(status, code, { ErrorCode: code, Message: message, ...members });
}

/**
 * EKS's REST-JSON error: the code in `x-amzn-ErrorType`, the body's `message` and the members
 * its error shapes carry (`clusterName`, `nodegroupName`, …).
 */
export function eksErrorAnswer(
  status: number,
  code: string,
  message: string,
  members: Readonly<Record<string, unknown>> = {},
): ErrorAnswer {
  return restJsonErrorAnswer(status, code, { message, ...members });
}

/** The query protocol's XML error (`<ErrorResponse>`): Sender for a 4xx, Receiver for a 5xx. */
function queryErrorAnswer(status: number, code: string, message: string): ErrorAnswer {
  const requestId = randomUUID();
  const type = status < 500 ? 'Sender' : 'Receiver';
  return {
    status,
    headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId },
    body: `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** A JSON protocol's error (DynamoDB, Step Functions, EventBridge): the code as `__type`. */
function jsonErrorAnswer(
  status: number,
  code: string,
  message: string,
  contentType: string,
  members: Readonly<Record<string, unknown>> = {},
): ErrorAnswer {
  return {
    status,
    headers: {
      'Content-Type': contentType,
      'x-amzn-ErrorType': code,
      'x-amzn-RequestId': randomUUID(),
    },
    body: JSON.stringify({ __type: code, message, ...members }),
  };
}

/** The error a service of that protocol answers for throttling or a 5xx. */
export function errorAnswer(
  kind: ErrorKind,
  protocol: AwsProtocol,
  requestContentType = '',
): ErrorAnswer {
  if (protocol === 'ec2') return ec2ErrorAnswer(...ERRORS.ec2[kind]);
  if (protocol === 'query') return queryErrorAnswer(...ERRORS.query[kind]);
  const contentType =
    protocol === 'json' && requestContentType ? requestContentType : 'application/json';
  return jsonErrorAnswer(...ERRORS.json[kind], contentType);
}

/** An error a service declares for an operation, answered by name (the AWS oracle's entries). */
export interface DeclaredError {
  /** The error's name, as the SDK's model declares it: `NoFreeAddressesInSubnet`. */
  readonly name: string;
  /** Its HTTP status (the model's `httpError`; EC2's codes are all 400). @default 400 */
  readonly status?: number;
  readonly message?: string;
  /**
   * Members the error shape carries beside its message (`AccessPointId`, `clusterName`,
   * DynamoDB's `CancellationReasons`); the query and EC2 protocols' errors carry none.
   */
  readonly members?: Readonly<Record<string, unknown>>;
}

/**
 * `error` as the service answers it, in the shape its protocol's SDK parses into that error:
 * EFS's and EKS's REST-JSON (`x-amzn-ErrorType`), EC2's XML `<Errors>`, the query protocol's
 * `<ErrorResponse>`, and the JSON protocols' `__type` (DynamoDB, Step Functions, EventBridge).
 */
export function declaredErrorAnswer(
  call: AwsCall,
  error: DeclaredError,
  requestContentType = '',
): ErrorAnswer {
  const status = error.status ?? 400;
  const message = error.message ?? `${error.name} (injected)`;
  const members = error.members ?? {};
  if (call.service === 'elasticfilesystem')
    return efsErrorAnswer(status, error.name, message, members);
  if (call.protocol === 'rest-json') return eksErrorAnswer(status, error.name, message, members);
  if (call.protocol === 'ec2') return ec2ErrorAnswer(status, error.name, message);
  if (call.protocol === 'query') return queryErrorAnswer(status, error.name, message);
  const contentType = requestContentType || 'application/x-amz-json-1.0';
  return jsonErrorAnswer(status, error.name, message, contentType, members);
}

/**
 * The throttling error of a service as a rate limit answers it: EFS 429 ThrottlingException
 * (its error shape), EKS 429, EC2 503 RequestLimitExceeded, JSON protocols (DynamoDB, Step
 * Functions, EventBridge) 400 ThrottlingException.
 */
export function throttlingAnswer(call: AwsCall, requestContentType = ''): ErrorAnswer {
  if (call.service === 'elasticfilesystem')
    return efsErrorAnswer(429, 'ThrottlingException', 'Rate exceeded');
  if (call.protocol === 'rest-json')
    return eksErrorAnswer(429, 'ThrottlingException', 'Rate exceeded');
  return errorAnswer('throttling', call.protocol, requestContentType);
}
