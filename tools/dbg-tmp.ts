import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
import { resizeBilinear, loadImage } from '@vigil/dataset';
const f = process.argv[2]!;
const { data, info } = await sharp(f).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
writeFileSync('/tmp/pg/dec.bin', data);
const r = resizeBilinear({ data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 }, 160, 256);
writeFileSync('/tmp/pg/res.bin', r.data);
console.log(info);
