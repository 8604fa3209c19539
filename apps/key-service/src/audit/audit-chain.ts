/**
 * The audit chain, its JSON Lines export and their verification live in the auditor's standalone
 * verifier (`tools/audit-verifier`, plain Node without dependencies), so that the service and the
 * auditor run the very same code. See docs/adr/0005-audit-chain.md.
 */
export * from '@sts/audit-verifier';
