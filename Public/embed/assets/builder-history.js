// Undo and redo for the builder: whole-document snapshots (JSON strings, so a later edit can never
// reach into a stored state). Documents are small, and snapshots keep undo correct for every kind of
// edit without each one describing its own inverse.

const LIMIT = 200;
/** Keystrokes in one field within this pause are one undo step, not one per character. */
const TYPING_PAUSE_MS = 1200;

export function createHistory() {
  const past = [];
  const future = [];
  let typingIn = null;
  let typedAt = 0;

  /** Remembers `doc` as the state before an edit; a new edit ends any redo chain. */
  function record(doc) {
    past.push(JSON.stringify(doc));
    if (past.length > LIMIT) past.shift();
    future.length = 0;
  }

  return {
    get canUndo() { return past.length > 0; },
    get canRedo() { return future.length > 0; },
    /** Before a structural change (add, delete, move, inspector edits). */
    record(doc) { typingIn = null; record(doc); },
    /** Before a keystroke in the text field `el`: records only at the start of a burst of typing. */
    recordTyping(doc, el) {
      const now = Date.now();
      if (typingIn !== el || now - typedAt > TYPING_PAUSE_MS) record(doc);
      typingIn = el;
      typedAt = now;
    },
    /** The document before the last edit (the current one goes to redo), or null. */
    undo(doc) { return travel(past, future, doc); },
    /** The document the last undo left (the current one goes back to undo), or null. */
    redo(doc) { return travel(future, past, doc); },
  };

  function travel(from, to, doc) {
    if (!from.length) return null;
    to.push(JSON.stringify(doc));
    typingIn = null;
    return JSON.parse(from.pop());
  }
}
