using System.Threading.Channels;

namespace Severstal.Data;

/// <summary>
/// Prepares the batches of an epoch on a background task while the model trains: decode (when the source is lazy),
/// flips, normalisation, targets, written into the batch's tensors (<paramref name="prepare"/>, given the plan's
/// sample indices). At most <c>capacity</c> prepared batches wait in a bounded channel, so memory is bounded by
/// capacity x batch size whatever the dataset size. Batches come out in plan order, so training stays deterministic
/// however the threads are scheduled. The consumer disposes each batch; batches never taken are disposed here.
/// </summary>
public sealed class BatchLoader : IDisposable
{
    private readonly Channel<PreparedBatch> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;

    public BatchLoader(EpochPlan plan, int firstStep, int capacity,
        Func<int[], IReadOnlyList<(bool H, bool V)>, int, PreparedBatch> prepare)
    {
        _channel = Channel.CreateBounded<PreparedBatch>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true,
        });
        var token = _stop.Token;
        _producer = Task.Run(async () =>
        {
            try
            {
                for (var step = firstStep; step < plan.Batches.Count; step++)
                {
                    token.ThrowIfCancellationRequested();
                    var batch = prepare(plan.Batches[step], plan.Flips[step], step);
                    Interlocked.Add(ref _preparedBytes, batch.Bytes);
                    if (!_channel.Writer.TryWrite(batch))
                        try
                        {
                            await _channel.Writer.WriteAsync(batch, token);
                        }
                        catch (OperationCanceledException)
                        {
                            batch.Dispose();
                            throw;
                        }
                }
                _channel.Writer.TryComplete();
            }
            catch (Exception error)
            {
                _channel.Writer.TryComplete(error);
            }
        }, token);
    }

    private long _preparedBytes;

    /// <summary>Total bytes of batches prepared so far (for the bench's memory figure).</summary>
    public long PreparedBytes => Interlocked.Read(ref _preparedBytes);

    /// <summary>The next batch in plan order; waits while the producer is behind.</summary>
    public PreparedBatch Next(int expectedStep)
    {
        var batch = _channel.Reader.ReadAsync().AsTask().GetAwaiter().GetResult();
        if (batch.Step != expectedStep)
            throw new InvalidOperationException($"loader produced step {batch.Step}, the trainer expected {expectedStep}");
        return batch;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException)
        {
            // cancelled while waiting to write: expected when an epoch stops early
        }
        while (_channel.Reader.TryRead(out var left))
            left.Dispose();
        _stop.Dispose();
    }
}
