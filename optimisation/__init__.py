"""Pure caseload optimiser: problem in, plan out; standard library and PuLP only."""
