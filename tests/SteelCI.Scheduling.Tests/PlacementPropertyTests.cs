using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Estimates;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Simulation;

namespace SteelCI.Scheduling.Tests;

/// <summary>
/// Properties of the placer over many random plans, accounts and speed draws (a seeded loop: every failure names its
/// case number, and the same number reproduces it): no account over its quota or session cap, no session over the
/// limit, no finished work lost, and no ready stage left waiting while an account could run it.
/// </summary>
public sealed class PlacementPropertyTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly SchedulerOptions Options = new();

    [Fact]
    public async Task Random_plans_never_overspend_never_pass_a_cap_and_never_lose_finished_work()
    {
        for (var n = 0; n < 150; n++)
        {
            var random = new Random(1000 + n);
            var stages = RandomStages(random);
            var accounts = Enumerable.Range(1, random.Next(1, 6)).Select(i => new SimulatedAccountState(
                new AccountSettings($"acc{i}", TimeSpan.FromHours(random.Next(0, 3) * 4), random.Next(1, 4)),
                TimeSpan.FromHours(30), TimeSpan.FromHours(random.Next(0, 4) * 5), Start.AddHours(random.Next(1, 169)))).ToList();
            var jitter = new[] { 0.0, 0.1, 0.15, 0.25 }[random.Next(4)];
            var options = new SimulationOptions { Jitter = jitter, Seed = n, Horizon = TimeSpan.FromDays(70) };
            var setup = new SimulationSetup(Start, stages, accounts);
            var what = $"case {n} ({stages.Count} stages, {accounts.Count} accounts, jitter {jitter})";

            // The simulator's tracker throws when a session does not start from its stage's last checkpoint or credits
            // more epochs than the stage has; the platform refuses a push over the cap or without quota.
            var result = await new Simulator(options).RunAsync(setup, Strategy.Scheduler);

            Assert.True(result.Completed, $"{what}: not finished");
            Assert.All(stages, s => Assert.True(s.Epochs == result.EpochsDone[s.Name], $"{what}: {s.Name} has {result.EpochsDone[s.Name]} of {s.Epochs}"));
            Assert.True(result.Refusals.Count == 0, $"{what}: {string.Join("; ", result.Refusals)}");
            foreach (var account in accounts)
            {
                var allowed = account.Allowed - account.Settings.Reserve;
                var limit = account.Used > allowed ? account.Used : allowed; // what was used before the run stays used
                Assert.True(result.MaxWeekUse[account.Settings.Name] <= limit, $"{what}: {account.Settings.Name} used {result.MaxWeekUse[account.Settings.Name]} of {limit}");
            }
            Assert.All(result.Sessions, s =>
            {
                Assert.True(s.Duration <= Options.SessionLimit, $"{what}: a session ran {s.Duration}");
                Assert.True(s.Reason is SessionEnd.Completed or SessionEnd.TrainerDeadline, $"{what}: {s.Stage} ended {s.Reason}");
                var work = stages.First(w => w.Name == s.Stage);
                var unit = work.Resumable ? work.PerEpoch / 10 : work.PerEpoch;
                Assert.True(s.Lost <= unit * (1 + jitter) * (1 + jitter / 3) + TimeSpan.FromSeconds(1), $"{what}: {s.Stage} lost {s.Lost}");
            });
        }
    }

    [Fact]
    public void No_ready_stage_waits_while_an_account_with_a_free_session_and_enough_quota_idles()
    {
        var placer = new Placer(Options);
        for (var n = 0; n < 2000; n++)
        {
            var random = new Random(5000 + n);
            var stages = RandomStages(random);
            var progress = stages.Select(s => new StageProgress(s, random.Next(3) == 0 ? s.Epochs : random.Next(0, s.Epochs), random.Next(6) == 0)).ToList();
            var accounts = Enumerable.Range(1, random.Next(1, 6))
                .Select(i => new AccountCapacity($"acc{i}", random.Next(0, 3), TimeSpan.FromMinutes(random.Next(0, 30 * 60)), Start.AddDays(7))).ToList();
            var speeds = new SpeedEstimates();
            foreach (var s in stages.Where(_ => random.Next(2) == 0))
                speeds.Observe(s.Name, accounts[random.Next(accounts.Count)].Name, 3, s.PerEpoch * 3 * (0.7 + 0.6 * random.NextDouble()));
            var what = $"case {n}";

            var placements = placer.Place(Start, progress, accounts, speeds);

            var left = accounts.ToDictionary(a => a.Name, a => (a.FreeSlots, a.Spendable));
            foreach (var p in placements)
            {
                var (slots, spendable) = left[p.Account];
                left[p.Account] = (slots - 1, spendable - (p.DeadlineUtc - p.StartUtc));
            }
            Assert.All(left, a => Assert.True(a.Value.FreeSlots >= 0 && a.Value.Spendable >= TimeSpan.Zero, $"{what}: {a.Key} over its slots or quota: {a.Value}"));
            Assert.All(placements, p => Assert.True(p.DeadlineUtc - p.StartUtc <= Options.MaxWindow, $"{what}: a window of {p.DeadlineUtc - p.StartUtc}"));
            Assert.Equal(placements.Count, placements.Select(p => p.Stage).Distinct().Count());

            var done = progress.Where(p => p.Done).Select(p => p.Work.Name).ToHashSet();
            var ready = progress.Where(p => !p.Done && !p.Running && p.Work.After.All(done.Contains));
            foreach (var stage in ready.Where(s => placements.All(p => p.Stage != s.Work.Name)))
                foreach (var (name, (slots, spendable)) in left.Where(a => a.Value.FreeSlots > 0))
                    Assert.True(placer.Chunk(stage with { Work = speeds.Apply(stage.Work) }, spendable, speeds.PerEpoch(stage.Work, name)).Epochs == 0,
                        $"{what}: {stage.Work.Name} waits while {name} has {slots} free session(s) and {spendable} that could run it");
        }
    }

    /// <summary>2 to 7 stages, each maybe after earlier ones; epochs and epoch times that fit a session; one in four not resumable.</summary>
    private static List<StageWork> RandomStages(Random random)
    {
        var stages = new List<StageWork>();
        var count = random.Next(2, 8);
        for (var i = 0; i < count; i++)
        {
            var resumable = random.Next(4) != 0;
            var perEpoch = TimeSpan.FromMinutes(random.Next(2, 90));
            var epochs = resumable ? random.Next(1, 31) : Math.Max(1, Math.Min(random.Next(1, 6), (int)(400 / perEpoch.TotalMinutes)));
            var after = stages.Where(_ => random.Next(3) == 0).Select(s => s.Name).ToList();
            stages.Add(new StageWork($"s{i}", epochs, perEpoch, resumable, after));
        }
        return stages;
    }
}
