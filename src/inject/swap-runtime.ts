// Runs in the user's program: the one function every swap text's prologue calls (./boundary.ts
// swapInsertions). Defined once per thread as the hooks install, it is compiled once and soon
// optimized, where a copy in each module was parsed and compiled once per module: 2,000 modules
// spent ~20-40 ms of their start on those copies (docs/swap.md, "Load time").
import { SWAP_PROLOGUE_HELPER } from './mark';

/**
 * Define `prefix0` … `prefix(n-1)` (undefined, not enumerable, configurable) where they are not own
 * properties yet, and `prefixe`, the factory of the module's scope object (./boundary.ts
 * moduleScopeExpression makes it when a save first needs it). V8 treats a global that is never written as a
 * constant; a slot that is missing would make every check of it slow.
 *
 * The slots share one descriptor, made without a prototype (so that a program that adds `get` or
 * `value` to Object.prototype cannot change what it says), and each name is built once: for 2,000
 * modules of five slots this took the helper from ~13 to ~11 ms of CPU (docs/swap.md, Measurements).
 */
export function defineSwapHelper(g: typeof globalThis = globalThis, helperName: string = SWAP_PROLOGUE_HELPER): void {
  // (self-contained, so that a test can run its source in another node: test/unit/swap-compile.test.ts)
  const define = Object.defineProperty;
  const own = Object.prototype.hasOwnProperty;
  if (own.call(g, helperName)) return;
  const slot: PropertyDescriptor = { __proto__: null, value: undefined, configurable: true } as PropertyDescriptor;
  const prologue = function prologue(prefix: string, n: number, scope: unknown): void {
    for (let i = 0; i < n; i++) {
      const name = prefix + i;
      if (!own.call(g, name)) define(g, name, slot);
    }
    define(g, prefix + 'e', { __proto__: null, value: scope, configurable: true } as PropertyDescriptor);
    // a module loaded again (its cache entry deleted): saves compile in the newest copy's scope
    if (own.call(g, prefix + 'v')) delete (g as Record<string, unknown>)[prefix + 'v'];
  };
  define(prologue, 'p', { value: privateHolder(g), configurable: true });
  const homes = superHomes(g);
  define(prologue, 'k', { value: homes.again, configurable: true });
  define(prologue, 'h', { value: homes.install, configurable: true });
  const traces = stackFilter(g);
  define(prologue, 't', { value: traces.track, configurable: true });
  define(prologue, 'l', { value: traces.loaded, configurable: true });
  define(g, helperName, { value: prologue, configurable: true });

  /**
   * `super` in a swapped method of a class made again with another parent (a mixin). Such a method is
   * compiled as a factory of it for a given class (src/patch/swap-compile.ts): its `super` is that
   * class's parent. `install(slot, factory, ref)` gives what the slot holds: while the class of
   * global `ref` has one parent, the method made for that class, as fast as any swapped method; once
   * it has more, a picker that finds each call's class (the nearest made on `this`'s prototype chain,
   * or `this` itself for a static) and calls the method made for it. `again(ref, previous, cls)`,
   * called by the class's static block each time it makes the class again (./boundary.ts), records
   * the classes (all of them: one made before another parent came is picked too), and once they have
   * more than one parent turns the methods installed for one parent into pickers. The classes are
   * kept in a WeakMap: a class, its instances and its methods go once unused.
   */
  function superHomes(g: typeof globalThis) {
    const protoOf = Object.getPrototypeOf;
    type Factory = (cls: unknown) => (...a: unknown[]) => unknown;
    /** Per class global: each slot's factory, and what was installed for it while there was one parent. */
    const installed = new Map<string, Map<string, { factory: Factory; direct: unknown }>>();
    const madeOf = (ref: string): WeakMap<object, object> | undefined => (g as any)[ref + 'c'];
    /** The classes made, once they have more than one parent (the static block's `…m` global, ./boundary.ts classManyName). */
    const severalParents = (ref: string): WeakMap<object, object> | undefined => ((g as any)[ref + 'm'] === true ? madeOf(ref) : undefined);
    const isObject = (o: unknown): o is object => (typeof o === 'object' && o !== null) || typeof o === 'function';
    /** What one slot's pickers share: how deep each object is in them, and the class each prototype's chain picked. */
    interface PickState {
      depth: WeakMap<object, number>;
      /** The class each prototype picked; `impl`, without an environment: the method itself (one lookup a call). */
      fast: WeakMap<object, object>;
      impl: WeakMap<object, (...a: unknown[]) => unknown> | null;
    }
    /**
     * The picker: `implOf(cls)` gives the method made for a class. A chain with two classes of the
     * mixin (applied over itself) has the outer one's method call the inner one's through `super`,
     * with the same `this`: how deep the slot's pickers already are for the object says which calls.
     * A prototype whose chain has one class of the mixin keeps the class it picked (a walk of the
     * chain at each call cost a hot method ~12x).
     */
    const picker = (implOf: (cls: object) => (...a: unknown[]) => unknown, ref: string, made: WeakMap<object, object>, state: PickState) =>
      // (named as SWAP_PICKER_NAME in ./mark.ts says: written out, this function stays self-contained)
      function __ec$pick(this: unknown, ...args: unknown[]): unknown {
        const above = isObject(this) ? protoOf(this) as object | null : null;
        if (above !== null) {
          if (state.impl !== null) {
            const f = state.impl.get(above);
            if (f !== undefined) return f.apply(this, args);
          } else {
            const known = state.fast.get(above);
            if (known !== undefined) return implOf(known).apply(this, args);
          }
        }
        let nearest: object | undefined;
        let second = false;
        for (let p = this; isObject(p); p = protoOf(p)) {
          const c = made.get(p);
          if (c === undefined) continue;
          if (nearest === undefined) nearest = c;
          else { second = true; break; }
        }
        let cls = nearest ?? ((g as any)[ref] as object);
        if (!second || !isObject(this)) {
          const f = implOf(cls);
          if (above !== null && nearest !== undefined) {
            if (state.impl !== null) state.impl.set(above, f);
            else state.fast.set(above, cls);
          }
          return f.apply(this, args);
        }
        const d = state.depth.get(this) ?? 0;
        let skip = d;
        for (let p = this; d > 0 && isObject(p); p = protoOf(p)) {
          const c = made.get(p);
          if (c !== undefined && skip-- === 0) { cls = c; break; }
        }
        const f = implOf(cls);
        state.depth.set(this, d + 1);
        try { return f.apply(this, args); } finally { if (d === 0) state.depth.delete(this); else state.depth.set(this, d); }
      };
    /**
     * What a slot holds for a method's factory: while the class has one parent, the method made for
     * the latest class (`made` undefined), else a picker. A method that reads its enclosing function's
     * locals is a factory of that: the dispatch calls the slot with its environment (`new slot.E(…)`),
     * and then the method it gives.
     */
    const forSlot = (factory: Factory, ref: string, made: WeakMap<object, object> | undefined): unknown => {
      const latest = () => (g as any)[ref] as object;
      const E = (factory as unknown as { E?: unknown }).E;
      if (typeof E !== 'function') {
        if (made === undefined) return factory(latest());
        const byClass = new WeakMap<object, (...a: unknown[]) => unknown>();
        const implOf = (cls: object) => { let f = byClass.get(cls); if (f === undefined) byClass.set(cls, (f = factory(cls))); return f; };
        return picker(implOf, ref, made, { depth: new WeakMap(), fast: new WeakMap(), impl: new WeakMap() });
      }
      const withEnv = factory as unknown as (env: unknown) => Factory;
      const state: PickState = { depth: new WeakMap(), fast: new WeakMap(), impl: null };
      const out = made === undefined
        ? (env: unknown) => withEnv(env)(latest())
        : (env: unknown) => picker((cls) => withEnv(env)(cls), ref, made, state);
      define(out, 'E', { value: E, configurable: true });
      return out;
    };
    return {
      install(slot: string, factory: Factory, ref: string): unknown {
        let slots = installed.get(ref);
        if (slots === undefined) installed.set(ref, (slots = new Map()));
        const made = severalParents(ref);
        if (made !== undefined) { slots.delete(slot); return forSlot(factory, ref, made); }
        const direct = forSlot(factory, ref, undefined);
        slots.set(slot, { factory, direct });
        return direct;
      },
      again(ref: string, previous: { prototype: unknown }, cls: { prototype: unknown }): void {
        let made = madeOf(ref);
        const first = made === undefined;
        if (made === undefined) {
          made = new WeakMap();
          define(g, ref + 'c', { __proto__: null, value: made, configurable: true } as PropertyDescriptor);
        }
        for (const c of first ? [previous, cls] : [cls]) {
          made.set(c, c);
          if (typeof c.prototype === 'object' && c.prototype !== null) made.set(c.prototype, c);
        }
        const slots = installed.get(ref);
        if (slots === undefined || severalParents(ref) === undefined) return;
        // a slot a later save filled otherwise (a body without super) is no longer this method's
        for (const [slot, { factory, direct }] of slots) {
          if ((g as any)[slot] !== direct) continue;
          delete (g as any)[slot];
          define(g, slot, { __proto__: null, value: forSlot(factory, ref, made), configurable: true } as PropertyDescriptor);
        }
        installed.delete(ref);
      },
    };
  }

  /**
   * `__ec$s.t(file, places, units)`, called by each install: the program's own stack traces
   * (`error.stack`, `console.trace`, node's report of an uncaught error) read as under LiveEdit or
   * plain node. They leave out the swap engine's frames: a swapped function's dispatch (the original
   * function passing the call on, a second frame of the same name at its first line) and the picker
   * of a mixin's method; and a frame of swapped-in code stands at the column written, named as its
   * dispatch names the function (V8 names code made by eval `Object.eval`).
   * `file` is the script's name as V8 gives it to a CallSite (a path for CommonJS, a URL for an ES
   * module); `places` are [line, column, end] triples (0-based, V8's) of the dispatches the install
   * filled the slots of; `units`, the swapped-in code it compiled (src/patch/swap-compile.ts
   * unitColumns). The first call wraps Error.prepareStackTrace (node's own, which applies source
   * maps, or the one a library such as source-map-support put there): a program never patched keeps
   * it untouched. One the program sets later is wrapped at the next install.
   */
  function stackFilter(g: typeof globalThis) {
    type Site = Record<string, (...a: unknown[]) => any>;
    /** By script name: by 0-based line, the [column, end) pairs of the dispatches on it. */
    const byFile = new Map<string, Map<number, number[]>>();
    /**
     * Swapped-in code, by the URL it was compiled under (its file's name, or one of its own under a
     * loader that keeps maps), newest last: where its
     * lines start, and on each line our insertions ([column, length] pairs), the places V8 gives a
     * call whose callee we wrapped ([from, to] pairs) and the dispatches of the functions it makes
     * ([column, end] pairs), in its columns. The oldest go past UNITS_KEPT a file (code of old saves
     * that still runs then keeps V8's columns).
     */
    const UNITS_KEPT = 5000;
    type Unit = { first: number; starts: number[]; cuts: Map<number, number[]>; moves: Map<number, number[]>; dispatches: Map<number, number[]> };
    const units = new Map<string, Unit[]>();
    /** The swapped-in code a frame runs in (its URL, and where its line starts in it), or null. */
    const unitOf = (site: Site): Unit | null => {
      if (units.size === 0 || !site.isEval()) return null;
      const list = units.get(site.getScriptNameOrSourceURL());
      if (list === undefined) return null;
      const line = (site.getLineNumber() ?? 0) - 1;
      const start = site.getPosition() - ((site.getColumnNumber() ?? 1) - 1);
      for (let u = list.length - 1; u >= 0; u--) if (list[u].starts[line - list[u].first] === start) return list[u];
      return null;
    };
    const within = (spans: number[] | undefined, column: number): boolean => {
      if (spans !== undefined) for (let i = 0; i < spans.length; i += 2) if (column >= spans[i] && column < spans[i + 1]) return true;
      return false;
    };
    /** How much of our insertions ([column, length] pairs of one line) stands before `column` (0-based). */
    const insertedBefore = (cuts: number[] | undefined, column: number): number => {
      let before = 0;
      if (cuts !== undefined) for (let i = 0; i < cuts.length; i += 2) if (cuts[i] < column) before += Math.min(cuts[i + 1], column - cuts[i]);
      return before;
    };
    /**
     * The swap texts of the modules this thread loaded, by script name (the load hooks give them:
     * loaded()), with where their lines start once a trace has needed it. Every insertion of a swap
     * text is delimited (boundary.ts swapCuts) and on one line: a frame there stands at the column
     * written once the insertions before it on its line are taken out. (The retry boundaries of
     * LiveEdit's text are not delimited: its frames on a function's first line keep V8's column.)
     */
    const texts = new Map<string, { text: string; starts: number[] | null }>();
    const OPEN = '/*ec{';
    const CLOSE = '/*}ec*/';
    const loadedColumn = (site: Site): number | null => {
      const name = site.getFileName();
      const t = typeof name === 'string' && texts.size ? texts.get(name) : undefined;
      if (t === undefined) return null;
      if (t.starts === null) {
        t.starts = [0];
        for (let i = t.text.indexOf('\n'); i >= 0; i = t.text.indexOf('\n', i + 1)) t.starts.push(i + 1);
      }
      const line = (site.getLineNumber() ?? 0) - 1;
      const from = t.starts[line];
      if (from === undefined) return null;
      const column = (site.getColumnNumber() ?? 0) - 1;
      // the insertions before the frame on its line (no regular expression: see nameOf)
      const cuts: number[] = [];
      for (let i = t.text.indexOf(OPEN, from); i >= 0 && i < from + column; i = t.text.indexOf(OPEN, i + 1)) {
        const end = t.text.indexOf(CLOSE, i);
        if (end < 0) break;
        cuts.push(i - from, end + CLOSE.length - i);
        i = end;
      }
      const before = insertedBefore(cuts, column);
      return before ? column - before + 1 : null;
    };
    const ours = new WeakSet<object>();
    /** `unit`: the swapped-in code the frame runs in (unitOf), or null. */
    const hidden = (site: Site, unit: Unit | null): boolean => {
      // (the picker, named as SWAP_PICKER_NAME in ./mark.ts says: written out, as above)
      if (site.getFunctionName() === '__ec$pick') return true;
      const line = (site.getLineNumber() ?? 0) - 1;
      const column = (site.getColumnNumber() ?? 0) - 1;
      // a dispatch in swapped-in code (of a function that code made)
      if (unit !== null) return within(unit.dispatches.get(line), column);
      const file = site.getFileName();
      const lines = typeof file === 'string' ? byFile.get(file) : undefined;
      return lines !== undefined && within(lines.get(line), column);
    };
    /** The column a frame in swapped-in code `unit` has in the file as written (1-based), or null: as V8 says. */
    const columnAsWritten = (site: Site, unit: Unit | null): number | null => {
      if (unit === null) return null;
      const line = (site.getLineNumber() ?? 0) - 1;
      let column = (site.getColumnNumber() ?? 0) - 1;
      const moves = unit.moves.get(line);
      if (moves !== undefined) for (let i = 0; i < moves.length; i += 2) if (moves[i] === column) { column = moves[i + 1]; break; }
      const at = column - insertedBefore(unit.cuts.get(line), column) + 1;
      return at === site.getColumnNumber() ? null : at;
    };
    /** A frame's text without its place (`Shape.area`, `async main`), or null when it has no name. */
    const nameOf = (site: Site): string | null => {
      const text = String(site);
      const place = ` (${site.getScriptNameOrSourceURL() ?? site.getFileName()}:${site.getLineNumber()}:${site.getColumnNumber()})`;
      if (!text.endsWith(place)) return null;
      const name = text.slice(0, -place.length);
      // V8 names a function of eval'd code that has no name `eval`: in a file it has none
      if (!site.isEval() || site.getFunctionName() !== 'eval') return name;
      if (name === 'eval' || name === 'async eval') return null;
      // (no regular expression here: a trace formatted in an interrupt that came inside one of the
      // program's would end it on Node 20 and 22, docs/v8.md)
      return name.endsWith('.eval') ? `${name.slice(0, -'.eval'.length)}.<anonymous>` : name;
    };
    const NAMED_BY = ['getFunctionName', 'getMethodName', 'getTypeName', 'getThis', 'getFunction', 'isConstructor', 'isToplevel'];
    /**
     * A frame of swapped-in code as the program's traces show it: at the column written, and named
     * as `as` (its dispatch, the frame of the function the program called: the receiver, the name
     * and `new` as V8 gives them there). Else the frame itself.
     */
    const shown = (site: Site, unit: Unit | null, as: Site | null): unknown => {
      const column = columnAsWritten(site, unit) ?? loadedColumn(site) ?? site.getColumnNumber();
      if (as === null && column === site.getColumnNumber()) return site;
      const file = site.getScriptNameOrSourceURL();
      const line = site.getLineNumber();
      let name = as !== null ? nameOf(as) : nameOf(site);
      if (name !== null && as !== null && as.isAsync() && !site.isAsync() && name.startsWith('async ')) name = name.slice(6);
      const text = name === null ? `${file}:${line}:${column}` : `${name} (${file}:${line}:${column})`;
      return new Proxy(site, {
        get(target, key) {
          if (key === 'toString') return () => text;
          if (key === 'getColumnNumber') return () => column;
          if (key === 'getFileName') return () => file;
          if (key === 'isEval') return () => false;
          if (key === 'getEvalOrigin') return () => undefined;
          const from = as !== null && typeof key === 'string' && NAMED_BY.includes(key) ? as : target;
          const v = from[key as string];
          return typeof v === 'function' ? (...a: unknown[]) => v.apply(from, a) : v;
        },
      });
    };
    const kept = (frames: unknown): unknown => {
      if (!Array.isArray(frames) || (byFile.size === 0 && units.size === 0 && texts.size === 0)) return frames;
      const out: unknown[] = [];
      let changed = false;
      // the last frame of swapped-in code kept, not yet named by its dispatch: where it is in out
      let impl: Site | null = null;
      let implUnit: Unit | null = null;
      let implAt = -1;
      for (const frame of frames as Site[]) {
        let unit: Unit | null = null;
        let ourFrame = false;
        try { unit = unitOf(frame); ourFrame = hidden(frame, unit); } catch { /* not a CallSite: keep it */ }
        if (ourFrame) {
          changed = true;
          // a dispatch: the frame above it (past node's own, such as the microtask loop an awaiting
          // dispatch resumes from) runs the function's new code: named as this one names it
          try {
            if (impl !== null && frame.getFunctionName() !== '__ec$pick' && impl.getScriptNameOrSourceURL() === (frame.getFileName() ?? frame.getScriptNameOrSourceURL())) {
              out[implAt] = shown(impl, implUnit, frame);
              impl = null;
            }
          } catch { /* as it was */ }
          continue;
        }
        let s: unknown = frame;
        try { s = shown(frame, unit, null); } catch { /* as V8 gives it */ }
        if (s !== frame) changed = true;
        out.push(s);
        let isImpl = false;
        let isNode = false;
        try { isImpl = frame.isEval(); isNode = !isImpl && String(frame.getFileName() ?? '').startsWith('node:'); } catch { /* neither */ }
        if (isImpl) { impl = frame; implUnit = unit; implAt = out.length - 1; } else if (!isNode) impl = null;
      }
      return changed ? out : frames;
    };
    const wrap = (previous: unknown) => {
      const prepareStackTrace = function prepareStackTrace(this: unknown, error: unknown, frames: unknown): unknown {
        const list = kept(frames);
        if (typeof previous === 'function') return previous.call(this, error, list);
        // no formatter at all (a program deleted node's): V8's own format
        let head: string;
        try { head = g.Error.prototype.toString.call(error); } catch { head = 'Error'; }
        return Array.isArray(list) && list.length ? `${head}\n    at ${list.join('\n    at ')}` : head;
      };
      ours.add(prepareStackTrace);
      return prepareStackTrace;
    };
    const wrapFormatter = (): void => {
      const E = g.Error as ErrorConstructor & { prepareStackTrace?: unknown };
      const current = E.prepareStackTrace;
      if (typeof current === 'function' && ours.has(current)) return;
      try { E.prepareStackTrace = wrap(current); } catch { /* a frozen Error: traces keep the frames */ }
    };
    /** `__ec$s.l(name, text)`: a module's swap text, as the load hooks gave it to V8 under `name`. */
    const loaded = (name: string, text: string): void => {
      texts.set(name, { text, starts: null });
      wrapFormatter();
    };
    /** `compiled`: what src/patch/swap-compile.ts unitColumns gives for each unit. */
    const track = function track(file: string, places: number[], compiled: { url: string; first: number; starts: number[]; at: number[] }[] = []): void {
      let lines = byFile.get(file);
      if (lines === undefined) byFile.set(file, (lines = new Map()));
      for (let i = 0; i + 2 < places.length; i += 3) {
        let spans = lines.get(places[i]);
        if (spans === undefined) lines.set(places[i], (spans = []));
        spans.push(places[i + 1], places[i + 2]);
      }
      for (const { url, first, starts, at: u } of compiled) {
        const unit: Unit = { first, starts, cuts: new Map(), moves: new Map(), dispatches: new Map() };
        const movesAt = 1 + u[0] * 3;
        const dispatchesAt = movesAt + 1 + u[movesAt] * 3;
        const add = (into: Map<number, number[]>, from: number, to: number) => {
          for (let i = from; i + 2 < to; i += 3) {
            let l = into.get(u[i]);
            if (l === undefined) into.set(u[i], (l = []));
            l.push(u[i + 1], u[i + 2]);
          }
        };
        add(unit.cuts, 1, movesAt);
        add(unit.moves, movesAt + 1, dispatchesAt);
        add(unit.dispatches, dispatchesAt, u.length);
        let list = units.get(url);
        if (list === undefined) units.set(url, (list = []));
        list.push(unit);
        if (list.length > UNITS_KEPT) list.splice(0, list.length - UNITS_KEPT);
      }
      wrapFormatter();
    };
    return { track, loaded };
  }

  /**
   * `__ec$s.p(name, cls, accessors)`, called by the static block of a class with #private names each
   * time the class is made: define global `name`, the accessors swapped-in code calls
   * (src/patch/swap-private.ts). A class made once (most) gets its own accessors there, as fast as a
   * plain read. A class made again (a class in a factory, a mixin) is a new class with its own
   * #private names: the global then holds accessors that find, for each object, those of the class it
   * was made by (the nearest on its prototype chain, or the class itself for statics), so that code
   * swapped before or after the class was made again serves the instances of every one of them.
   * The classes are looked up in a WeakMap: a class, its instances and its accessors go once unused.
   * An object of none of them gets the latest class's accessors, which throw what `o.#x` throws.
   */
  function privateHolder(g: typeof globalThis) {
    const ACCESSORS = ['g', 's', 'h', 'c', 'u', 'i'] as const;
    const protoOf = Object.getPrototypeOf;
    return function privates(name: string, cls: { prototype: object }, accessors: Accessors): void {
      const key = name + 'w';
      const first = !own.call(g, key);
      const made = (first ? { byClass: new WeakMap(), latest: accessors, any: null } : (g as any)[key]) as Made;
      if (first) define(g, key, { __proto__: null, value: made, configurable: true } as PropertyDescriptor);
      made.byClass.set(cls, accessors);
      if (cls.prototype !== null && typeof cls.prototype === 'object') made.byClass.set(cls.prototype, accessors);
      made.latest = accessors;
      if (!first) made.any ??= anyClass(made, Object.keys(accessors));
      define(g, name, { __proto__: null, value: first ? accessors : made.any, configurable: true } as PropertyDescriptor);
    };

    function anyClass(made: Made, names: string[]): Accessors {
      const of = (o: unknown): Accessors => {
        for (let p = o; (typeof p === 'object' && p !== null) || typeof p === 'function'; p = protoOf(p)) {
          const found = made.byClass.get(p as object);
          if (found !== undefined) return found;
        }
        return made.latest;
      };
      const out: Accessors = {};
      for (const n of names) {
        const one = {} as Accessors[string];
        for (const a of ACCESSORS) one[a] = (o: unknown, ...rest: unknown[]) => of(o)[n][a](o, ...rest);
        define(out, n, { value: one, enumerable: true, configurable: true }); // (a class may name one #__proto__)
      }
      return out;
    }
  }
}

/** The accessors of one class's #private names, as ./boundary.ts privateAccessors writes them. */
type Accessors = Record<string, Record<'g' | 's' | 'h' | 'c' | 'u' | 'i', (...a: any[]) => unknown>>;
/** What a class's holder global keeps beside it: which accessors serve which class. */
interface Made { byClass: WeakMap<object, Accessors>; latest: Accessors; any: Accessors | null }

