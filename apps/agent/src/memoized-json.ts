/**
 * JSON of objects that are never changed once made (a change makes a new one), each written once
 * and remembered while the object lives: saving ten thousand of them again writes out strings.
 */
export class MemoizedJson<T extends object> {
  private readonly made = new WeakMap<T, string>();

  of(value: T): string {
    let json = this.made.get(value);
    if (json === undefined) {
      json = JSON.stringify(value);
      this.made.set(value, json);
    }
    return json;
  }
}
