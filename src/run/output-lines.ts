// A run's stdout and stderr, cut into lines as the bytes come, kept up to one
// budget shared by both streams. Once a line does not fit, nothing more is
// kept: the rest is only counted, so a hook that writes a gigabyte (with or
// without newlines) costs hookd no more memory than the budget.

export type OutputStream = 'stdout' | 'stderr';

export class OutputBudget {
  keptBytes = 0;
  droppedBytes = 0;
  full = false;

  constructor(readonly maxBytes: number) {}

  // Whether `bytes` more fit; the first refusal closes the budget for good.
  take(bytes: number): boolean {
    if (!this.full && this.keptBytes + bytes <= this.maxBytes) {
      this.keptBytes += bytes;
      return true;
    }
    this.full = true;
    return false;
  }
}

export class LineCollector {
  // The start of the current line: never more than the budget has room for.
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly budget: OutputBudget,
    private readonly onLine: (line: string) => void,
  ) {}

  write(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        this.append(chunk.subarray(start));
        return;
      }
      this.append(chunk.subarray(start, newline));
      this.endLine(1);
      start = newline + 1;
    }
  }

  // The stream ended: a last line without a newline still counts.
  end(): void {
    if (this.size > 0) this.endLine(0);
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    const room = this.budget.maxBytes - this.budget.keptBytes;
    if (this.budget.full || this.size + piece.length + 1 > room) {
      // This line cannot fit: count what was held of it, hold nothing more.
      this.budget.full = true;
      this.budget.droppedBytes += this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  // `newline`: 1 when the line ended with "\n" (it counts too), else 0.
  private endLine(newline: number): void {
    const bytes = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    if (this.budget.take(bytes.length + 1)) this.onLine(bytes.toString('utf8'));
    else this.budget.droppedBytes += bytes.length + newline;
  }
}
