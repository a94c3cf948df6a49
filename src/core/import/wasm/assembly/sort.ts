// AssemblyScript, part of the import kernel (parse.ts): ordering a user's rows by time.

/** Stable sort of len times at t (moving the row numbers at p with them): insertion sort on runs of 32, then merges. */
export function sortRange(t: usize, p: usize, len: u32, st: usize, sp: usize): void {
  let sorted = true;
  for (let i: u32 = 1; i < len; i++) {
    if (load<f64>(t + (<usize>i << 3)) < load<f64>(t + ((<usize>i - 1) << 3))) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const RUN: u32 = 32;
  for (let r: u32 = 0; r < len; r += RUN) {
    const end = min(len, r + RUN);
    for (let i = r + 1; i < end; i++) {
      const x = load<f64>(t + (<usize>i << 3));
      const v = load<u32>(p + (<usize>i << 2));
      let j = <i32>i - 1;
      while (j >= <i32>r && load<f64>(t + (<usize>j << 3)) > x) {
        store<f64>(t + ((<usize>j + 1) << 3), load<f64>(t + (<usize>j << 3)));
        store<u32>(p + ((<usize>j + 1) << 2), load<u32>(p + (<usize>j << 2)));
        j--;
      }
      store<f64>(t + ((<usize>j + 1) << 3), x);
      store<u32>(p + ((<usize>j + 1) << 2), v);
    }
  }
  if (len <= RUN) return;
  let srcT = t;
  let srcP = p;
  let dstT = st;
  let dstP = sp;
  for (let width = RUN; width < len; width *= 2) {
    for (let lo: u32 = 0; lo < len; lo += 2 * width) {
      const mid = min(lo + width, len);
      const hi = min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // The right run only when strictly earlier: ties keep their order.
        if (load<f64>(srcT + (<usize>j << 3)) < load<f64>(srcT + (<usize>i << 3))) {
          store<f64>(dstT + (<usize>k << 3), load<f64>(srcT + (<usize>j << 3)));
          store<u32>(dstP + (<usize>k << 2), load<u32>(srcP + (<usize>j << 2)));
          j++;
        } else {
          store<f64>(dstT + (<usize>k << 3), load<f64>(srcT + (<usize>i << 3)));
          store<u32>(dstP + (<usize>k << 2), load<u32>(srcP + (<usize>i << 2)));
          i++;
        }
        k++;
      }
      for (; i < mid; i++, k++) {
        store<f64>(dstT + (<usize>k << 3), load<f64>(srcT + (<usize>i << 3)));
        store<u32>(dstP + (<usize>k << 2), load<u32>(srcP + (<usize>i << 2)));
      }
      for (; j < hi; j++, k++) {
        store<f64>(dstT + (<usize>k << 3), load<f64>(srcT + (<usize>j << 3)));
        store<u32>(dstP + (<usize>k << 2), load<u32>(srcP + (<usize>j << 2)));
      }
    }
    const xt = srcT;
    srcT = dstT;
    dstT = xt;
    const xp = srcP;
    srcP = dstP;
    dstP = xp;
  }
  if (srcT != t) {
    memory.copy(t, srcT, <usize>len << 3);
    memory.copy(p, srcP, <usize>len << 2);
  }
}


/** Ascending sort of len u64 values at p (distinct, so stability is moot): insertion sort on runs of 32, then merges through `scratch`. */
export function sortPacked(p: usize, len: u32, scratch: usize): void {
  let sorted = true;
  for (let i: u32 = 1; i < len; i++) {
    if (load<u64>(p + (<usize>i << 3)) < load<u64>(p + ((<usize>i - 1) << 3))) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const RUN: u32 = 32;
  for (let r: u32 = 0; r < len; r += RUN) {
    const end = min(len, r + RUN);
    for (let i = r + 1; i < end; i++) {
      const x = load<u64>(p + (<usize>i << 3));
      let j = <i32>i - 1;
      while (j >= <i32>r && load<u64>(p + (<usize>j << 3)) > x) {
        store<u64>(p + ((<usize>j + 1) << 3), load<u64>(p + (<usize>j << 3)));
        j--;
      }
      store<u64>(p + ((<usize>j + 1) << 3), x);
    }
  }
  if (len <= RUN) return;
  let src = p;
  let dst = scratch;
  for (let width = RUN; width < len; width *= 2) {
    for (let lo: u32 = 0; lo < len; lo += 2 * width) {
      const mid = min(lo + width, len);
      const hi = min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = load<u64>(src + (<usize>i << 3));
        const b = load<u64>(src + (<usize>j << 3));
        if (b < a) {
          store<u64>(dst + (<usize>k << 3), b);
          j++;
        } else {
          store<u64>(dst + (<usize>k << 3), a);
          i++;
        }
        k++;
      }
      if (i < mid) memory.copy(dst + (<usize>k << 3), src + (<usize>i << 3), <usize>(mid - i) << 3);
      else if (j < hi) memory.copy(dst + (<usize>k << 3), src + (<usize>j << 3), <usize>(hi - j) << 3);
    }
    const x = src;
    src = dst;
    dst = x;
  }
  if (src != p) memory.copy(p, src, <usize>len << 3);
}
