export interface Ban {
  id: string;
  subjectKind: 'ip' | 'account';
  subject: string;
  reason: string;
  offence: number;
  createdAt: Date;
  expiresAt: Date;
  liftedAt: Date | null;
  liftedBy: string | null;
}

export interface ThrottleSettings {
  maxFailures: number;
  findMinutes: number;
  banMinutes: number;
  maxBanMinutes: number;
}
