import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiError } from '../shared/auth';

/** An answer the client is meant to read: HTTP status, a machine code, a message for the operator. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const MESSAGES = {
  unauthenticated: '未登录或令牌无效',
  token_expired: '登录已过期，请重新登录',
  invalid_credentials: '用户名或密码错误',
  account_disabled: '该账号已停用，请联系管理员',
  not_found: '请求的接口不存在',
  payload_too_large: '请求内容过大（上限 1 MiB），请分批提交',
  unsupported_media_type: '请求内容类型不受支持，请以 application/json 发送',
  internal_error: '服务器内部错误，请稍后重试',
  db_unavailable: '数据库暂时不可用，请稍后重试',
} as const;

const zhCN = z.locales.zhCN().localeError;

/** Issues as a short Chinese sentence: "username：无效输入…；password：…". */
export function describeIssues(issues: readonly z.core.$ZodIssue[], max = 3): string {
  const parts = issues.slice(0, max).map((i) => `${i.path.length ? i.path.join('.') : '请求体'}：${i.message}`);
  if (issues.length > max) parts.push(`等 ${issues.length} 处`);
  return parts.join('；');
}

/** Parse with Chinese issue messages (field names stay as they are in the protocol). */
export function safeParseZh<S extends z.ZodType>(schema: S, data: unknown) {
  return schema.safeParse(data, { error: zhCN });
}

/** The request body against its schema, or 400 bad_request with the zod issues as details. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = safeParseZh(schema, body);
  if (!r.success) throw new HttpError(400, 'bad_request', `请求格式不正确：${describeIssues(r.error.issues)}`, r.error.issues);
  return r.data;
}

function toApiError(err: FastifyError | HttpError | Error): { status: number; body: ApiError } {
  if (err instanceof HttpError) {
    return { status: err.statusCode, body: { error: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
  }
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: 'payload_too_large', message: MESSAGES.payload_too_large } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: 'unsupported_media_type', message: MESSAGES.unsupported_media_type } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { error: 'bad_request', message: '请求格式不正确：请求体为空' } };
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 400) return { status, body: { error: 'bad_request', message: '请求格式不正确：不是有效的 JSON' } };
  if (status >= 400 && status < 500) return { status, body: { error: 'bad_request', message: '请求无法处理' } };
  return { status: 500, body: { error: 'internal_error', message: MESSAGES.internal_error } };
}

/** Every error leaves as ApiError JSON with a Chinese message; 5xx never carry a stack or the original text. */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = toApiError(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

export function notFoundHandler(_req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(404).send({ error: 'not_found', message: MESSAGES.not_found } satisfies ApiError);
}
