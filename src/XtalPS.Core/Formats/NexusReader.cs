using System;
using System.Collections.Generic;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    public static class NexusReader
    {
        public static bool LooksLikeHdf5(ReadOnlySpan<byte> head) => false;
        public static IEnumerable<DiffractionImage> ReadFrames(string path, FrameSelection? frames) => throw new NotImplementedException();
    }
}
