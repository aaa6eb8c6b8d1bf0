using System;

namespace XtalPS.Geometry
{
    /// <summary>
    /// A small deterministic generator (xoshiro256**, Blackman &amp; Vigna 2018, seeded by SplitMix64) with a
    /// Poisson sampler, so that simulated images are the same bytes on every runtime and thread count.
    /// </summary>
    internal struct RandomSource
    {
        private ulong _s0, _s1, _s2, _s3;

        public RandomSource(ulong seed)
        {
            ulong x = seed;
            _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        }

        /// <summary>An independent stream for one unit of work (a row, a spot), whatever thread runs it.</summary>
        public static RandomSource ForStream(int seed, long stream) =>
            new RandomSource(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)stream * 0xD1B54A32D192ED03UL + 0x632BE59BD9B4E019UL));

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = unchecked(x += 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return z ^ (z >> 31);
        }

        private static ulong Rotl(ulong x, int k) => (x << k) | (x >> (64 - k));

        public ulong NextULong()
        {
            ulong result = unchecked(Rotl(_s1 * 5, 7) * 9);
            ulong t = _s1 << 17;
            _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t; _s3 = Rotl(_s3, 45);
            return result;
        }

        /// <summary>Uniform in [0, 1).</summary>
        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Standard normal deviate (Box–Muller).</summary>
        public double NextGaussian()
        {
            double u1 = 1.0 - NextDouble(), u2 = NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>Exponential deviate with mean 1 (Wilson acentric intensities).</summary>
        public double NextExponential() => -Math.Log(1.0 - NextDouble());

        /// <summary>
        /// Poisson deviate: multiplication method for small means, PTRS transformed rejection
        /// (Hörmann 1993, "The transformed rejection method for generating Poisson random variables") above 10.
        /// </summary>
        public long NextPoisson(double mean)
        {
            if (!(mean > 0)) return 0;
            if (mean < 10)
            {
                double l = Math.Exp(-mean), p = 1.0;
                long k = 0;
                do { k++; p *= NextDouble(); } while (p > l);
                return k - 1;
            }
            double slam = Math.Sqrt(mean), loglam = Math.Log(mean);
            double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
            double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
            while (true)
            {
                double u = NextDouble() - 0.5, v = NextDouble();
                double us = 0.5 - Math.Abs(u);
                long k = (long)Math.Floor((2 * a / us + b) * u + mean + 0.43);
                if (us >= 0.07 && v <= vr) return k;
                if (k < 0 || (us < 0.013 && v > us)) continue;
                if (Math.Log(v) + Math.Log(invalpha) - Math.Log(a / (us * us) + b) <= -mean + k * loglam - LogFactorial(k))
                    return k;
            }
        }

        private static double LogFactorial(long k) => MathNet.Numerics.SpecialFunctions.GammaLn(k + 1.0);
    }
}
