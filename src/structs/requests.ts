/** Request and response bodies of the HTTP/RPC API that several layers share. */

/** `PUT /v1/jobs` request fields the server reads. */
export interface JobRegisterRequest {
  Job: unknown;
  EnforceIndex?: boolean;
  JobModifyIndex?: number;
  EvalPriority?: number;
}

/** `PUT /v1/validate/job` response. */
export interface JobValidateResponse {
  DriverConfigValidated: boolean;
  ValidationErrors: string[] | null;
  Error: string;
  Warnings: string;
}

/** Response to a job write (register, deregister). */
export interface JobRegisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
  Index: number;
  LastContact: number;
  KnownLeader: boolean;
}
