// Programmatic entry (the API grows in later releases; the CLI is built on these parts).
export { runApp, type AppOptions, type AppIO } from './app';
export { planPatch, type Plan, type ChangedFunction, type NotApplied } from './patch/plan';
export { Codes, type Code } from './patch/codes';
