/*
 * The C yardstick of `npm run bench` (packages/bench/src/c.ts): per-tensor int8 quantize and
 * dequantize with known parameters, AVX2 intrinsics (SSE4.1 ones when built without -mavx2, for
 * CPUs that lack AVX2), one thread, the arithmetic of ONNX's
 * QuantizeLinear / DequantizeLinear as quantlab's kernels do it:
 *   quantize    q = saturate(rint(x / s) + zp)   a real division; rint ties to even (the default
 *               MXCSR rounding of cvtps2dq); the quotient clamped to [-128 - zp, 127 - zp] first
 *               (±Infinity lands on a bound), so the conversion never overflows
 *   dequantize  x = (q - zp) * s                 q - zp exact in float32, one rounding
 * and, as quantlab does, an OR of a NaN mask over the inputs (the result says whether one was NaN).
 *
 * Usage: int8 OP N INPUT OUTPUT SCALE ZP SLOW_MS [THREADS]
 *   OP is quantize (INPUT: N float32, OUTPUT: N int8) or dequantize (INPUT: N int8, OUTPUT: N
 *   float32). Times the call with the bench worker's rule (one warm-up call, two when it takes
 *   under SLOW_MS; then 7 timed calls, 3 when slow) and prints {"times":[ms...],"peakRssMiB":m}.
 *   THREADS (default 1) splits each call into that many parts of whole 64-value groups, each on a
 *   POSIX thread started for the call (the machine's own bound for what more cores give).
 */
#include <pthread.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* The values from i to n one at a time, as the vector loops do them; returns whether one was NaN. */
static int quantize_tail(const float *x, int8_t *q, size_t i, size_t n, float s, int32_t zp) {
  int any = 0;
  for (; i < n; i++) {
    float v = x[i];
    if (v != v) any = 1;
    float t = v / s;
    t = t < -128 - zp ? -128 - zp : t > 127 - zp ? 127 - zp : t;
    q[i] = (int8_t)(_mm_cvtss_si32(_mm_set_ss(t)) + zp);
  }
  return any;
}

static void dequantize_tail(const int8_t *q, float *x, size_t i, size_t n, float s, int32_t zp) {
  for (; i < n; i++) x[i] = (float)(q[i] - zp) * s;
}

#ifdef __AVX2__
static int quantize_int8(const float *x, int8_t *q, size_t n, float s, int32_t zp) {
  const __m256 vs = _mm256_set1_ps(s);
  const __m256 lo = _mm256_set1_ps((float)(-128 - zp));
  const __m256 hi = _mm256_set1_ps((float)(127 - zp));
  const __m256i vzp = _mm256_set1_epi32(zp);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  __m256 nan = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i c[4];
    for (int k = 0; k < 4; k++) {
      __m256 v = _mm256_loadu_ps(x + i + 8 * k);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      __m256 t = _mm256_div_ps(v, vs);
      t = _mm256_min_ps(_mm256_max_ps(t, lo), hi);
      c[k] = _mm256_add_epi32(_mm256_cvtps_epi32(t), vzp);
    }
    __m256i ab = _mm256_packs_epi32(c[0], c[1]);
    __m256i cd = _mm256_packs_epi32(c[2], c[3]);
    __m256i bytes = _mm256_packs_epi16(ab, cd);
    _mm256_storeu_si256((__m256i *)(q + i), _mm256_permutevar8x32_epi32(bytes, order));
  }
  int any = _mm256_movemask_ps(nan) != 0;
  return quantize_tail(x, q, i, n, s, zp) | any;
}

static void dequantize_int8(const int8_t *q, float *x, size_t n, float s, int32_t zp) {
  const __m256 vs = _mm256_set1_ps(s);
  const __m256i vzp = _mm256_set1_epi32(zp);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; k++) {
      __m128i b = _mm_loadl_epi64((const __m128i *)(q + i + 8 * k));
      __m256i c = _mm256_sub_epi32(_mm256_cvtepi8_epi32(b), vzp);
      _mm256_storeu_ps(x + i + 8 * k, _mm256_mul_ps(_mm256_cvtepi32_ps(c), vs));
    }
  }
  dequantize_tail(q, x, i, n, s, zp);
}
#else
/* The same arithmetic in 128-bit SSE4.1 registers (quantize 16 values a step, dequantize 4). */
static int quantize_int8(const float *x, int8_t *q, size_t n, float s, int32_t zp) {
  const __m128 vs = _mm_set1_ps(s);
  const __m128 lo = _mm_set1_ps((float)(-128 - zp));
  const __m128 hi = _mm_set1_ps((float)(127 - zp));
  const __m128i vzp = _mm_set1_epi32(zp);
  __m128 nan = _mm_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i c[4];
    for (int k = 0; k < 4; k++) {
      __m128 v = _mm_loadu_ps(x + i + 4 * k);
      nan = _mm_or_ps(nan, _mm_cmpunord_ps(v, v));
      __m128 t = _mm_div_ps(v, vs);
      t = _mm_min_ps(_mm_max_ps(t, lo), hi);
      c[k] = _mm_add_epi32(_mm_cvtps_epi32(t), vzp);
    }
    __m128i ab = _mm_packs_epi32(c[0], c[1]);
    __m128i cd = _mm_packs_epi32(c[2], c[3]);
    _mm_storeu_si128((__m128i *)(q + i), _mm_packs_epi16(ab, cd));
  }
  int any = _mm_movemask_ps(nan) != 0;
  return quantize_tail(x, q, i, n, s, zp) | any;
}

static void dequantize_int8(const int8_t *q, float *x, size_t n, float s, int32_t zp) {
  const __m128 vs = _mm_set1_ps(s);
  const __m128i vzp = _mm_set1_epi32(zp);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    int32_t four;
    memcpy(&four, q + i, 4);
    __m128i c = _mm_sub_epi32(_mm_cvtepi8_epi32(_mm_cvtsi32_si128(four)), vzp);
    _mm_storeu_ps(x + i, _mm_mul_ps(_mm_cvtepi32_ps(c), vs));
  }
  dequantize_tail(q, x, i, n, s, zp);
}
#endif

/* One thread's part of a call. */
struct part {
  int quantizing;
  const void *in;
  void *out;
  size_t n;
  float s;
  int32_t zp;
  int nan;
};

static void *run_part(void *arg) {
  struct part *p = arg;
  if (p->quantizing)
    p->nan = quantize_int8(p->in, p->out, p->n, p->s, p->zp);
  else
    dequantize_int8(p->in, p->out, p->n, p->s, p->zp);
  return NULL;
}

/* The whole call on `threads` threads (the first part on this one); returns the NaN flag. */
static int run(int quantizing, const void *in, void *out, size_t n, float s, int32_t zp,
               int threads) {
  struct part parts[64];
  pthread_t ids[64];
  /* ceil(ceil(n / threads) / 64) * 64 values a part: at most `threads` parts, at least one. */
  size_t per = ((n + threads - 1) / threads + 63) / 64 * 64;
  int count = 0;
  for (size_t at = 0; at < n || count == 0; at += per) {
    size_t m = n - at < per ? n - at : per;
    const char *src = (const char *)in + at * (quantizing ? 4 : 1);
    char *dst = (char *)out + at * (quantizing ? 1 : 4);
    parts[count] = (struct part){quantizing, src, dst, m, s, zp, 0};
    count++;
    if (per == 0) break;
  }
  for (int t = 1; t < count; t++) pthread_create(&ids[t], NULL, run_part, &parts[t]);
  run_part(&parts[0]);
  int nan = parts[0].nan;
  for (int t = 1; t < count; t++) {
    pthread_join(ids[t], NULL);
    nan |= parts[t].nan;
  }
  return nan;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *read_file(const char *path, size_t bytes) {
  FILE *f = fopen(path, "rb");
  void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (f == NULL || p == NULL || fread(p, 1, bytes, f) != bytes) {
    fprintf(stderr, "int8: cannot read %zu bytes from %s\n", bytes, path);
    exit(1);
  }
  fclose(f);
  return p;
}

int main(int argc, char **argv) {
  if (argc != 8 && argc != 9) {
    fprintf(stderr, "usage: int8 quantize|dequantize N INPUT OUTPUT SCALE ZP SLOW_MS [THREADS]\n");
    return 2;
  }
  const int threads = argc == 9 ? atoi(argv[8]) : 1;
  if (threads < 1 || threads > 64) {
    fprintf(stderr, "int8: THREADS must be from 1 to 64; received %s\n", argv[8]);
    return 2;
  }
  const int quantizing = strcmp(argv[1], "quantize") == 0;
  const size_t n = strtoull(argv[2], NULL, 10);
  const float s = strtof(argv[5], NULL);
  const int32_t zp = (int32_t)strtol(argv[6], NULL, 10);
  const double slow = strtod(argv[7], NULL);
  void *in = read_file(argv[3], quantizing ? 4 * n : n);
  void *out = aligned_alloc(64, (4 * n + 63) / 64 * 64);
  memset(out, 0, 4 * n); /* fault the output in once, as the bench's outputs allocated once */
  volatile int sink = 0;
#define RUN() (sink += run(quantizing, in, out, n, s, zp, threads))
  double t0 = now_ms();
  RUN();
  double warm = now_ms() - t0;
  if (warm < slow) RUN();
  int repeats = warm > slow ? 3 : 7;
  double times[7];
  for (int r = 0; r < repeats; r++) {
    t0 = now_ms();
    RUN();
    times[r] = now_ms() - t0;
  }
  FILE *f = fopen(argv[4], "wb");
  if (f == NULL || fwrite(out, 1, quantizing ? n : 4 * n, f) != (quantizing ? n : 4 * n)) {
    fprintf(stderr, "int8: cannot write %s\n", argv[4]);
    return 1;
  }
  fclose(f);
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  printf("{\"times\":[");
  for (int r = 0; r < repeats; r++) printf(r ? ",%.4f" : "%.4f", times[r]);
  printf("],\"peakRssMiB\":%.1f}\n", u.ru_maxrss / 1024.0);
  return 0;
}
