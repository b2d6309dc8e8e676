// The part of better-sqlite3's API the registry uses (the package ships no types and @types/better-sqlite3
// is not installed).
declare module 'better-sqlite3' {
  namespace Database {
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      /** Milliseconds to wait for a lock held by another connection. */
      timeout?: number;
    }

    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }

    interface Statement {
      run(...params: unknown[]): RunResult;
      get(...params: unknown[]): unknown;
      all(...params: unknown[]): unknown[];
    }

    // biome-ignore lint/suspicious/noExplicitAny: mirrors better-sqlite3's generic transaction wrapper
    type AnyFunction = (...args: any[]) => any;

    interface Transaction<F extends AnyFunction> {
      (...args: Parameters<F>): ReturnType<F>;
      /** Runs inside BEGIN IMMEDIATE: the write lock is taken first, so two writers never deadlock. */
      immediate(...args: Parameters<F>): ReturnType<F>;
    }

    interface Database {
      prepare(sql: string): Statement;
      exec(sql: string): Database;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<F extends AnyFunction>(fn: F): Transaction<F>;
      close(): Database;
    }
  }

  const Database: new (filename: string, options?: Database.Options) => Database.Database;
  export = Database;
}
