using Microsoft.Extensions.Time.Testing;

namespace SteelCI.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which of its timers are armed, so a test can advance the clock exactly
/// when the code under test waits on it (a delay, a poll interval, a backoff), and wait for the code to arm its next
/// timer instead of sleeping on the real clock.
/// </summary>
/// <remarks>
/// Arming a timer and moving the clock happen one at a time (<see cref="_clock"/>): a timer's due time is read from the
/// same "now" at which the fake schedules it. Without that, a clock moved by another thread between the two readings
/// left a recorded due time earlier than the real one, and a driver advancing "to the next timer" advanced by zero for
/// ever (a test host spinning at full CPU until CI's limit).
/// </remarks>
public sealed class ObservedTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly object _clock = new();
    private readonly object _gate = new();
    private readonly HashSet<Observed> _armed = [];
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Timers armed now (created or changed with a finite due time, not yet fired, disposed or stopped).</summary>
    public int Armed
    {
        get { lock (_gate) return _armed.Count; }
    }

    /// <summary>When the earliest armed timer is due; null when none is armed.</summary>
    public DateTimeOffset? NextDue
    {
        get { lock (_gate) return _armed.Count == 0 ? null : _armed.Min(t => t.Due); }
    }

    /// <summary>Completes at the next arming, firing or disarming of any timer.</summary>
    public Task Changed
    {
        get { lock (_gate) return _changed.Task; }
    }

    /// <summary>Waits (on signals, not on the clock) until at least <paramref name="count"/> timers are armed.</summary>
    public async Task WhenArmedAsync(int count = 1, TimeSpan? limit = null)
    {
        var give = Task.Delay(limit ?? Eventually.DefaultLimit, RealClock); // a bound on a hang, never reached when it works
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_armed.Count >= count)
                    return;
                changed = _changed.Task;
            }
            if (await Task.WhenAny(changed, give) == give)
                throw new TimeoutException($"{_armed.Count} timers armed, waited for {count}");
        }
    }

    /// <summary>Moves the clock to the earliest armed timer's due time (firing it); false when none is armed.</summary>
    public bool AdvanceToNextTimer(TimeSpan? atMost = null)
    {
        lock (_clock)
        {
            var due = NextDue;
            if (due is null)
                return false;
            var step = due.Value - GetUtcNow();
            if (atMost is { } cap && step > cap)
                step = cap;
            base.Advance(step > TimeSpan.Zero ? step : TimeSpan.Zero);
            return true;
        }
    }

    /// <summary>Moves the clock (firing what falls due), never while another thread arms a timer.</summary>
    public new void Advance(TimeSpan delta)
    {
        lock (_clock)
            base.Advance(delta);
    }

    /// <summary>Sets the clock (firing what falls due), never while another thread arms a timer.</summary>
    public new void SetUtcNow(DateTimeOffset value)
    {
        lock (_clock)
            base.SetUtcNow(value);
    }

    private static readonly TimeProvider RealClock = TimeProvider.System;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var observed = new Observed(this);
        lock (_clock)
        {
            observed.Set(dueTime, period); // first: a timer due now fires inside CreateTimer
            observed.Inner = base.CreateTimer(s => { observed.Fired(); callback(s); }, state, dueTime, period);
        }
        return observed;
    }

    private void Update(Observed timer, bool armed)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (armed) _armed.Add(timer); else _armed.Remove(timer);
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Observed(ObservedTime owner) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        public ITimer Inner { get; set; } = null!;
        public DateTimeOffset Due { get; private set; }

        public void Set(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            var armed = dueTime != Timeout.InfiniteTimeSpan;
            if (armed)
                Due = owner.GetUtcNow() + dueTime;
            owner.Update(this, armed);
        }

        public void Fired()
        {
            var periodic = _period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero;
            if (periodic)
                Due = owner.GetUtcNow() + _period;
            owner.Update(this, periodic);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._clock)
            {
                Set(dueTime, period); // first: a change to "now" fires inside Change
                return Inner.Change(dueTime, period);
            }
        }

        public void Dispose()
        {
            Inner.Dispose();
            owner.Update(this, false);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
