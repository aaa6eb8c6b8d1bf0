using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Formats
{
    /// <summary>
    /// Which frames of a multi-frame file to read: a list of 0-based indices in the order wanted (duplicates
    /// dropped). <c>null</c> wherever a selection is accepted means every frame.
    /// </summary>
    public sealed class FrameSelection
    {
        private readonly int[] _frames;

        public FrameSelection(IEnumerable<int> frames)
        {
            if (frames == null) throw new ArgumentNullException(nameof(frames));
            var list = new List<int>();
            var seen = new HashSet<int>();
            foreach (int f in frames)
            {
                if (f < 0) throw new ArgumentOutOfRangeException(nameof(frames), $"Frame {f} is negative; frames are numbered from 0.");
                if (seen.Add(f)) list.Add(f);
            }
            if (list.Count == 0) throw new ArgumentException("A frame selection needs at least one frame.", nameof(frames));
            _frames = list.ToArray();
        }

        public static FrameSelection Single(int frame) => new FrameSelection(new[] { frame });

        /// <summary>Frames first, first+1, … first+count−1.</summary>
        public static FrameSelection Range(int first, int count)
        {
            if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "A range needs at least one frame.");
            if (first < 0 || (long)first + count - 1 > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(first));
            return new FrameSelection(Enumerable.Range(first, count));
        }

        /// <summary>The frames, in the order they will be read.</summary>
        public IReadOnlyList<int> Frames => _frames;

        public bool Contains(int frame) => Array.IndexOf(_frames, frame) >= 0;

        /// <summary>
        /// The indices to read from a file that holds <paramref name="frameCount"/> frames: every frame when
        /// <paramref name="selection"/> is null. A frame beyond the end is an <see cref="InvalidImageDataException"/>,
        /// raised before anything is read.
        /// </summary>
        public static int[] Resolve(FrameSelection? selection, int frameCount, string path)
        {
            if (selection == null) return Enumerable.Range(0, Math.Max(0, frameCount)).ToArray();
            foreach (int f in selection._frames)
                if (f >= frameCount)
                    throw new InvalidImageDataException(path, frameCount == 1
                        ? $"frame {f} was asked for, but the file holds a single frame (0)."
                        : $"frame {f} was asked for, but the file holds {frameCount} frames (0..{frameCount - 1}).");
            return (int[])selection._frames.Clone();
        }

        public override string ToString() => string.Join(",", _frames);
    }
}
