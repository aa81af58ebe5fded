import {
  ERROR_CATALOGUE,
  problemType,
  type ErrorCode,
} from './error-catalogue.js';

/** An RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function buildProblem(
  code: ErrorCode,
  detail: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): Problem {
  const entry = ERROR_CATALOGUE[code];
  const extensions = Object.fromEntries(
    Object.entries(extra).filter(([, value]) => value !== undefined),
  );

  return {
    type: problemType(code),
    title: entry.title,
    status: entry.status,
    code,
    detail,
    instance: requestId,
    ...extensions,
  };
}
