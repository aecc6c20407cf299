namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// What the scheduled workflow costs in GitHub Actions runner minutes for one simulated run of a plan (issue 14 item 4).
/// Actions bills each job rounded up to a whole minute, so the count of jobs matters first. A tick runs every
/// <see cref="Cadence"/> from the run's start until the tick after the last stage ended (that tick sees the pipeline
/// finished and disables the workflow); a tick at which a session starts is a pushing tick (it builds and uploads the
/// trainer) and costs <see cref="PushMinutes"/>, the others <see cref="TickMinutes"/>. The month is
/// <see cref="MonthDays"/> days with one run in it; the weeks after it are idle and cost nothing while the workflow is
/// disabled, or a tick every <see cref="Cadence"/> when the schedule is left on. Minutes per tick are estimates, not
/// measured on Actions (bench/ticks measures the tick's own part on a fresh clone).
/// </summary>
public sealed record RunnerMinutes(TimeSpan Cadence, double TickMinutes = 2, double PushMinutes = 4, int MonthDays = 30)
{
    public RunnerCost Of(SimulationResult run)
    {
        if (run.Finished is not { } finished)
            throw new ArgumentException("the run did not finish: its runner minutes are unbounded", nameof(run));
        var ticks = (int)Math.Ceiling((finished - run.Start) / Cadence) + 1;
        var pushing = run.Sessions.Select(s => (long)Math.Floor((s.Start - run.Start) / Cadence)).Distinct().Count();
        var whileRunning = (ticks - pushing) * TickMinutes + pushing * PushMinutes;
        var monthTicks = (int)(TimeSpan.FromDays(MonthDays) / Cadence);
        var leftOn = whileRunning + Math.Max(0, monthTicks - ticks) * TickMinutes;
        return new RunnerCost(ticks, pushing, whileRunning, leftOn);
    }
}

/// <param name="Ticks">Scheduled runs from the start until the one that disables the workflow.</param>
/// <param name="PushingTicks">Those that start at least one session.</param>
/// <param name="DisabledWhenDone">Minutes a month when the workflow disables itself once the run is finished.</param>
/// <param name="LeftOn">Minutes a month when the schedule keeps running through the idle weeks.</param>
public sealed record RunnerCost(int Ticks, int PushingTicks, double DisabledWhenDone, double LeftOn);
