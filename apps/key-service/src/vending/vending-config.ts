export type { VendingConfig } from '../config/app-config';

/** Injection token for the vending part of `AppConfig` (vending.module.ts provides it). */
export const VENDING_CONFIG = Symbol('VENDING_CONFIG');
