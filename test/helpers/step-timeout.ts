// Integration, e2e and fuzz suites start tokens, database schemas and the service: each test and
// hook may take up to 60 s before it counts as hung (starting the service takes seconds on a
// loaded two-core machine). A bound on a hang, not a speed test; suites may set their own.
jest.setTimeout(60_000);
