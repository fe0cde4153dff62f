// The programmatic API (README "API"): launch a program under edit-continue or attach to one, and
// drive the session: typed events, and the prompt's actions as methods.
export { launch, attach, parseAttachTarget, type LaunchOptions, type AttachOptions, type AttachTarget, type LaunchedSession, type AttachedSession, type Program } from './api';
export { LiveSession, type LiveEvents, type LiveOptions, type PatchedEvent, type NotPatchedEvent, type PendingEvent, type UnchangedEvent, type PausedEvent, type ExitedEvent, type PausedFrame, type Reason } from './live';
export type { FrameView } from './session/frames';
export type { Origin } from './util/origin';
export type { BreakOn, PauseKind } from './session/pause';
export { eventLine, EVENTS_VERSION, type EventType, type FunctionRef } from './report/events';
export type { SourceExcerpt } from './report/codeFrame';
export { planPatch } from './patch/plan';
export { Codes } from './patch/codes';
export { runApp, runAttach } from './app';
