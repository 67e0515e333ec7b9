import { z } from 'zod';

export const Role = z.enum(['operator', 'lead', 'admin']);
export type Role = z.infer<typeof Role>;

export const LoginRequest = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** What the console needs to register its softphone for this operator. */
export const SipAccount = z.object({
  uri: z.string().min(1), // sip:1001@qingyu.local
  wsServer: z.string().min(1), // ws://127.0.0.1:8088
  authorizationUsername: z.string().default(''),
  authorizationPassword: z.string().default(''),
  displayName: z.string().default(''),
});
export type SipAccount = z.infer<typeof SipAccount>;

export const UserInfo = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
  sip: SipAccount.nullable(),
});
export type UserInfo = z.infer<typeof UserInfo>;

export const LoginResponse = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime({ offset: true }),
  user: UserInfo,
});
export type LoginResponse = z.infer<typeof LoginResponse>;

/** Every 4xx/5xx body from the server: a machine code and a message for the operator, in Chinese. */
export const ApiError = z.object({
  error: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiError = z.infer<typeof ApiError>;
