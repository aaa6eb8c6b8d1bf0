using System;
using System.Collections.Generic;

namespace XtalPS.Campaigns
{
    /// <summary>What a scheduler says about a chunk that is not complete yet.</summary>
    internal enum TaskState
    {
        Pending,
        Running,
        /// <summary>Nothing runs it any more (its process or task ended, or was never started here).</summary>
        Gone,
    }

    /// <summary>
    /// Where chunks run (local processes, a Slurm job array). The job asks it about the unfinished chunks once per
    /// poll and decides completion from the chunk files themselves, never from the scheduler's word alone.
    /// </summary>
    internal interface IChunkScheduler : IDisposable
    {
        string Name { get; }
        /// <summary>One status query for all the given chunks (one squeue call on Slurm).</summary>
        IReadOnlyDictionary<int, (TaskState State, string Where)> Poll(IReadOnlyCollection<int> chunks);
        /// <summary>Stops every chunk it still runs (kills local processes, scancel on Slurm).</summary>
        void Stop();
        /// <summary>The log of a chunk's run, for the message of a failed chunk.</summary>
        string? LogPath(int chunk);
    }
}
