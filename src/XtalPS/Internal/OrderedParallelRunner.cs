using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace XtalPS.Internal
{
    /// <summary>
    /// Runs work items on up to ThrottleLimit threads while the cmdlet keeps writing from the pipeline thread, in
    /// input order. At most 2·ThrottleLimit items are in flight, so memory stays bounded however long the input.
    /// Every item also takes a slot of the process-wide <see cref="ThreadBudget"/> while it computes, so the stages
    /// of one pipeline share the cores instead of multiplying their throttles. Items waiting for a slot hold no
    /// thread. With a throttle of 1 the work runs inline on the pipeline thread, exactly as a serial loop would.
    /// </summary>
    internal sealed class OrderedParallelRunner<TIn, TOut> : IDisposable
    {
        public readonly struct Result
        {
            public Result(TIn input, TOut output, Exception? error) { Input = input; Output = output; Error = error; }
            public TIn Input { get; }
            public TOut Output { get; }
            public Exception? Error { get; }
        }

        private readonly Func<TIn, CancellationToken, TOut> _work;
        private readonly int _throttle;
        private readonly Queue<(TIn Input, Task<TOut> Task)> _inFlight = new Queue<(TIn, Task<TOut>)>();
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly SemaphoreSlim _slots;
        private readonly SemaphoreSlim _budget;

        public OrderedParallelRunner(int throttle, Func<TIn, CancellationToken, TOut> work)
        {
            _throttle = Math.Max(1, throttle);
            _work = work;
            _slots = new SemaphoreSlim(_throttle, _throttle);
            _budget = ThreadBudget.Pool(_throttle);
        }

        public CancellationToken Token => _cancel.Token;

        /// <summary>The throttle this runner was made with.</summary>
        public int Throttle => _throttle;

        /// <summary>Queues one item; returns the results that are ready, in order (waiting when the window is full).</summary>
        public IEnumerable<Result> Add(TIn item)
        {
            if (_throttle == 1)
            {
                yield return RunInline(item);
                yield break;
            }
            while (_inFlight.Count >= 2 * _throttle)
                yield return Complete(_inFlight.Dequeue());
            var token = _cancel.Token;
            var task = Task.Run(async () =>
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    await _budget.WaitAsync(token).ConfigureAwait(false);
                    try { return _work(item, token); }
                    finally { _budget.Release(); }
                }
                finally { _slots.Release(); }
            }, token);
            _inFlight.Enqueue((item, task));
            while (_inFlight.Count > 0 && _inFlight.Peek().Task.IsCompleted)
                yield return Complete(_inFlight.Dequeue());
        }

        /// <summary>Waits for everything still in flight, in order.</summary>
        public IEnumerable<Result> Drain()
        {
            while (_inFlight.Count > 0) yield return Complete(_inFlight.Dequeue());
        }

        public void Cancel() => _cancel.Cancel();

        private Result RunInline(TIn item)
        {
            try
            {
                _budget.Wait(_cancel.Token);
                try { return new Result(item, _work(item, _cancel.Token), null); }
                finally { _budget.Release(); }
            }
            catch (Exception e) when (!(e is OperationCanceledException)) { return new Result(item, default!, e); }
        }

        private static Result Complete((TIn Input, Task<TOut> Task) entry)
        {
            try { return new Result(entry.Input, entry.Task.GetAwaiter().GetResult(), null); }
            catch (Exception e) when (!(e is OperationCanceledException)) { return new Result(entry.Input, default!, e); }
        }

        public void Dispose()
        {
            _cancel.Cancel();
            try { Task.WaitAll(System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(_inFlight, f => (Task)f.Task))); }
            catch (AggregateException) { }
            _cancel.Dispose();
            _slots.Dispose();
        }
    }
}
