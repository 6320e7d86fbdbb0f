import { ProgressBar, renderProgress } from '../../src/cli/progress';
import { formatTable } from '../../src/cli/table';

describe('formatTable', () => {
  it('aligns columns two spaces apart without trailing spaces', () => {
    expect(
      formatTable(
        ['A', 'BB', 'C'],
        [
          ['xxx', 'y', ''],
          ['z', 'wwww', 'q'],
        ],
      ),
    ).toEqual(['A    BB    C', 'xxx  y', 'z    wwww  q']);
  });

  it('cuts long cells with an ellipsis and flattens line breaks', () => {
    expect(formatTable(['T'], [['line one\nline two'], ['abcdefghij']], 6)).toEqual([
      'T',
      'line …',
      'abcde…',
    ]);
  });
});

describe('progress', () => {
  it('renders a bar and percentage when the size is known', () => {
    expect(renderProgress(500, 250, 1000, 2000)).toBe(
      '[######..................]  25%  500 events sent  250/s',
    );
  });

  it('renders a count when the size is unknown', () => {
    expect(renderProgress(500, 250, undefined, 0)).toBe('500 events sent');
  });

  it('draws on a terminal, at most every 100 ms, and clears itself', () => {
    const written: string[] = [];
    let now = 0;
    const bar = new ProgressBar(
      { isTTY: true, write: (text: string) => written.push(text) },
      100,
      () => now,
    );
    now = 100;
    bar.update(1, 10, 0);
    now = 150;
    bar.update(2, 20, 0);
    now = 250;
    bar.update(3, 30, 0);
    bar.finish();
    expect(written).toEqual([
      '\r\x1b[K[##......................]  10%  1 events sent  10/s',
      '\r\x1b[K[#######.................]  30%  3 events sent  12/s',
      '\r\x1b[K',
    ]);
  });

  it('draws nothing when the stream is not a terminal', () => {
    const written: string[] = [];
    const bar = new ProgressBar({ write: (text: string) => written.push(text) }, 100, () => 1000);
    bar.update(1, 10, 0);
    bar.finish();
    expect(written).toEqual([]);
  });
});
