// Stable codes for everything a save can end in other than "patched", like .NET's ENC codes.
// They appear in the CLI's output and in results, so that users and tools can look them up.
// docs/codes.md explains each one; keep the two in step.

export const Codes = {
  /** The saved text does not parse. Nothing was sent to V8. */
  SyntaxError: 'EC101',
  /** The file could not be read (deleted, permissions). The running code stays as it was. */
  Unreadable: 'EC102',
  /** The file is binary or too large to be a script. */
  NotText: 'EC103',
  /** Only a worker thread (or a child process) loaded the file: edit-continue does not patch those yet. */
  OtherThread: 'EC104',
  /** A JSON module the program loaded: node parsed it once, into an object the program holds. */
  DataFile: 'EC106',
  /** Top-level code changed: it ran once when the module loaded and is not run again. */
  TopLevelCode: 'EC201',
  /** A new top-level declaration: V8 cannot add bindings to a loaded module. */
  NewDeclaration: 'EC202',
  /** A top-level declaration was removed or renamed: the running module keeps the old one. */
  RemovedDeclaration: 'EC203',
  /** A changed function uses a name that only a new top-level declaration provides. */
  UsesNewDeclaration: 'EC204',
  /** A class gained or lost members: existing classes cannot change shape. */
  ClassShape: 'EC205',
  /** A function's captured variables changed: closures it created before keep their old code. */
  StaleClosures: 'EC206',
  /**
   * A changed function changes which outer variables V8 keeps in a context (it starts or stops
   * capturing one, or uses eval, arguments, this, super from a closure): V8 would answer Ok and keep
   * running the old code, so it is not sent (docs/v8.md).
   */
  ScopeReshape: 'EC207',
  /**
   * LiveEdit: the change lies in a run of changed lines of 800+ characters (a TypeScript loader that
   * writes a module on one line), where V8 answers Ok and keeps the old code (src/loaders/liveedit-limit.ts).
   */
  LongLine: 'EC208',
  /** The function is running (on the stack): the edit waits until it returns. */
  ActiveFunction: 'EC301',
  /** An async function or generator is suspended: the edit waits until it completes. */
  ActiveGenerator: 'EC302',
  /** V8 could not compile the edit. */
  CompileError: 'EC303',
  /** V8 refused a top-level change to an ES module. */
  TopLevelEsModule: 'EC304',
  /** This Node has no LiveEdit (Debugger.setScriptSource) or it could not be enabled. */
  LiveEditUnavailable: 'EC305',
  /** The protocol call failed (the program exited, the script is gone). */
  ProtocolError: 'EC306',
  /**
   * A file a TypeScript loader compiles: the program's loader has not answered (the program stays
   * inside its own loads, or is stopped before a first ES module compile on Node 20 and 22). The
   * edit waits and is applied when the loader answers. (EC105 until December 2026, which lost the save.)
   */
  LoaderWaiting: 'EC307',
  // The swap engine (docs/swap.md)
  /** Swap engine: a class constructor cannot be swapped (instances made before would not match). */
  SwapConstructor: 'EC210',
  /** Swap engine: the function changed kind (async, generator, arrow, getter, setter, static). */
  SwapKind: 'EC211',
  /** Swap engine: the new body uses a local of an enclosing function that the running version does not. */
  SwapCapture: 'EC212',
  /** Swap engine: the calls the running version receives cannot carry the new parameters. */
  SwapParameters: 'EC213',
  /** Swap engine: the new body uses what a swapped-in body cannot have (`arguments` or `super` of an arrow, …). */
  SwapUnsupported: 'EC214',
  /**
   * Swap engine (a note beside `patched`): a generator, or an async function that awaits in a loop, was
   * swapped: a call of it already under way goes on with the code it started with.
   */
  SwapRunningCall: 'EC215',
  /**
   * Swap engine: the new body uses a top-level variable that no function used when the file loaded:
   * V8 freed its value once the top level ran (as under plain node), so no code can reach it.
   */
  SwapFreed: 'EC216',
  /** Swap engine: the running module has no swap indirection, or the scope to compile in is missing. */
  SwapUnavailable: 'EC310',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];
