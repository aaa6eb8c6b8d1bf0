using System;
using System.Collections.Generic;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>Placeholder: filled in below.</summary>
    internal static class BasisVectorSearch
    {
        public static IEnumerable<Mat3> CandidateBases(SpotObservations obs, IndexingSettings s) { yield break; }
    }
}
