using System;

namespace XtalPS.Spots
{
    /// <summary>An image on which spot finding cannot give a sensible answer (e.g. most pixels strong: wrong gain).</summary>
    public sealed class SpotFindingException : Exception
    {
        public SpotFindingException(string errorId, string message) : base(message) { ErrorId = errorId; }
        /// <summary>Stable identifier for the ErrorRecord.</summary>
        public string ErrorId { get; }
    }
}
