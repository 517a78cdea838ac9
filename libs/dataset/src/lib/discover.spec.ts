import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listMediaFiles, listSourceFiles } from './discover.js';

/** A tree of empty files (listing looks at names only). */
function tree(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-discover-'));
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  return root;
}

describe('listMediaFiles', () => {
  const root = tree(['a/x.jpg', 'a/sub/y.PNG', 'a/clip.mp4', 'a/notes.md', 'b/z.jpg', 'b/run.MOV', 'c/readme.txt']);

  it('takes files, folders (images only), patterns and lists; sorted, without repeats', async () => {
    const list = join(root, 'c', 'list.txt');
    writeFileSync(list, '../b/z.jpg\n./../a/*.mp4\n\n../a/sub\n');
    const r = await listMediaFiles([join(root, 'a'), join(root, 'b', 'run.MOV'), join(root, 'b', '*.jpg'), list]);
    expect(r.images).toEqual([join(root, 'a/sub/y.PNG'), join(root, 'a/x.jpg'), join(root, 'b/z.jpg')]);
    expect(r.videos).toEqual([join(root, 'a/clip.mp4'), join(root, 'b/run.MOV')]);
  });

  it('names the problem: missing source, empty pattern or folder, empty list, missing list line, another kind', async () => {
    await expect(listMediaFiles(join(root, 'nope.jpg'))).rejects.toThrow(/nope\.jpg does not exist/);
    await expect(listMediaFiles(join(root, 'a', '*.avi'))).rejects.toThrow(/the pattern '.*\*\.avi' matches no image or video file/);
    await expect(listMediaFiles(join(root, 'c'))).rejects.toThrow(/no images found in .*c \(formats/);
    const empty = join(root, 'c', 'empty.txt');
    writeFileSync(empty, '\n');
    await expect(listMediaFiles(empty)).rejects.toThrow(/empty\.txt: the list names no files/);
    const gone = join(root, 'c', 'gone.txt');
    writeFileSync(gone, '../a/x.jpg\n../a/gone.jpg\n');
    await expect(listMediaFiles(gone)).rejects.toThrow(/gone\.txt:2: .*a\/gone\.jpg does not exist: fix or drop the line/);
    const nested = join(root, 'c', 'nested.txt');
    writeFileSync(nested, 'empty.txt\n');
    await expect(listMediaFiles(nested)).rejects.toThrow(/nested\.txt:1: .*empty\.txt: not an image, a video, a folder or a \.txt list/);
    await expect(listMediaFiles(join(root, 'a', 'notes.md'))).rejects.toThrow(/notes\.md: not an image, a video, a folder or a \.txt list/);
  });
});

describe('listSourceFiles', () => {
  it('an image file is itself (not read as a list)', async () => {
    const root = tree(['i/x.jpg']);
    expect(await listSourceFiles(join(root, 'i', 'x.jpg'))).toEqual([join(root, 'i', 'x.jpg')]);
  });
});
