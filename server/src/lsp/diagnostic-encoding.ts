/**
 * Diagnostics as JSON text, encoded once per diagnostic object. The engine hands
 * back the same Diagnostic objects while their machine's analysis is reused, so a
 * keystroke re-encodes only what it changed; the rest of the response is joined
 * from strings already made. A whole list that comes back unchanged (a document
 * that was not re-analysed) is not even joined again.
 */
import type { Diagnostic } from '../common/diagnostic';
import { toLspDiagnostic } from './convert';

export class DiagnosticEncoder {
  private readonly items = new WeakMap<Diagnostic, string>();
  private readonly lists = new WeakMap<readonly Diagnostic[], string>();

  /** The JSON array text of `list`, as `JSON.stringify(list.map(toLspDiagnostic))` would write it. */
  encode(list: readonly Diagnostic[]): string {
    const known = this.lists.get(list);
    if (known !== undefined) return known;
    const parts: string[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) parts[i] = this.item(list[i]);
    const json = `[${parts.join(',')}]`;
    this.lists.set(list, json);
    return json;
  }

  private item(d: Diagnostic): string {
    let json = this.items.get(d);
    if (json === undefined) {
      json = JSON.stringify(toLspDiagnostic(d));
      this.items.set(d, json);
    }
    return json;
  }
}
