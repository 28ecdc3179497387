// A progress bar on stderr for long commands: redrawn in place on a terminal, a line every tenth
// otherwise (so CI logs and pipes get a readable record instead of control characters).

const BAR_WIDTH = 30;

export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = stream.isTTY === true;
  const started = Date.now();
  let lastTenth = -1;
  const line = (done: number): string => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(share * BAR_WIDTH);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `${label} [${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}% ${done}/${total} (${rate}/s)`;
  };
  return {
    update(done) {
      if (interactive) {
        stream.write(`\r${line(done)}`);
        return;
      }
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${line(done)}\n`);
      }
    },
    finish() {
      if (interactive) stream.write('\n');
    },
  };
}
