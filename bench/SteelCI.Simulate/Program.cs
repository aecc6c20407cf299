using System.Globalization;
using SteelCI.Scheduling.Reporting;
using SteelCI.Scheduling.Simulation;

// dotnet run --project bench/SteelCI.Simulate -- [--accounts 6] [--jitter 0.15] [--seed 1 | --seeds 1-10]
//     [--learning collected|live|none] [--out folder]
// Prints the simulator table for 1..n accounts (per seed), both lower bounds, SteelCI, round-robin and greedy, and the
// worst case over the seeds; with --out, also writes SteelCI's plan text and Gantt PNG (and greedy's plan text) of the first seed's runs.
const string Usage = "usage: steelci-simulate [--accounts N] [--jitter 0.15] [--seed 1 | --seeds 1-10] [--learning collected|live|none] [--out folder]";
var maxAccounts = 6;
var jitter = 0.0;
IReadOnlyList<int> seeds = [1];
var learning = EpochTimes.AtCollection;
string? output = null;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--accounts": maxAccounts = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--jitter": jitter = double.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--seed": seeds = [int.Parse(Next(), CultureInfo.InvariantCulture)]; break;
            case "--seeds": seeds = Seeds(Next()); break;
            case "--learning":
                learning = Next() switch
                {
                    "collected" => EpochTimes.AtCollection,
                    "live" => EpochTimes.Live,
                    "none" => EpochTimes.Ignored,
                    var other => throw new ArgumentException($"--learning '{other}': expected collected, live or none"),
                };
                break;
            case "--out": output = Next(); break;
            default: throw new ArgumentException($"unknown argument '{args[i]}'");
        }
    }
    if (maxAccounts < 1 || jitter is < 0 or >= 1)
        throw new ArgumentException("--accounts must be at least 1 and --jitter in [0, 1)");
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"{e.Message}; {Usage}");
    return 2;
}

var options = new SimulationOptions { Jitter = jitter, Seed = seeds[0], Learning = learning };
var rows = await SimulationBench.RunAsync(Enumerable.Range(1, maxAccounts), seeds, options);
Console.Write(SimulationTable.Format(rows, options));
// The mixed row (issue 20 item 3): 2 Kaggle accounts (or fewer when --accounts is) and a cluster allowing 2 GPU jobs.
var mixed = new List<MixedRow>();
foreach (var seed in seeds)
    mixed.Add(await SimulationBench.RunMixedAsync(Math.Min(2, maxAccounts), SeverstalPlan.Cluster(jobs: 2), options with { Seed = seed }));
Console.WriteLine();
Console.Write(SimulationTable.FormatMixed(mixed));
// Runner minutes a month of the scheduled workflow (issue 14 item 4), for SteelCI's schedule on 3 accounts (or fewer when --accounts is).
var minutes = new RunnerMinutes(options.Tick);
foreach (var row in rows.Where(r => r.Accounts == Math.Min(3, maxAccounts) && r.Scheduler.Completed))
{
    var cost = minutes.Of(row.Scheduler);
    Console.WriteLine($"Runner minutes a month, Severstal on {row.Accounts} accounts (seed {row.Seed}), a tick every {options.Tick.TotalMinutes:0} min, " +
        $"{minutes.MonthDays}-day month with one run: {cost.DisabledWhenDone:0} with the workflow disabled when done ({cost.Ticks} ticks, " +
        $"{cost.PushingTicks} pushing; {minutes.TickMinutes:0} min a tick, {minutes.PushMinutes:0} a pushing one, estimated), " +
        $"{cost.LeftOn:0} with the schedule left on through the idle weeks");
}
if (output is not null)
{
    Directory.CreateDirectory(output);
    foreach (var row in rows.Where(r => r.Seed == seeds[0]))
    {
        var name = Path.Combine(output, $"severstal-{row.Accounts}-accounts");
        await File.WriteAllTextAsync(name + ".txt", PlanText.Format($"Severstal on {row.Accounts} account(s), simulated (seed {row.Seed})", row.Scheduler,
            SeverstalPlan.Stages(), options.RefreshPeriod));
        SteelCI.Scheduling.Charts.GanttChart.Save(row.Scheduler, $"Severstal on {row.Accounts} account(s)", name + ".png");
        await File.WriteAllTextAsync(name + "-greedy.txt", PlanText.Format($"Severstal on {row.Accounts} account(s), greedy baseline (seed {row.Seed})",
            row.Greedy, SeverstalPlan.Stages(), options.RefreshPeriod));
    }
    var first = mixed[0];
    var mixedName = Path.Combine(output, $"severstal-{first.Accounts}-accounts-and-cluster");
    await File.WriteAllTextAsync(mixedName + ".txt", PlanText.Format($"Severstal on {first.Accounts} account(s) and a cluster of {first.Cluster.JobLimit} GPU jobs, simulated (seed {first.Seed})",
        first.Scheduler, SeverstalPlan.Stages(), options.RefreshPeriod));
    SteelCI.Scheduling.Charts.GanttChart.Save(first.Scheduler, $"Severstal on {first.Accounts} account(s) + cluster", mixedName + ".png");
    Console.WriteLine($"\nPlans and Gantt charts: {Path.GetFullPath(output)}");
}
return 0;

static IReadOnlyList<int> Seeds(string text)
{
    var dash = text.IndexOf('-', 1);
    if (dash < 0)
        return text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
    var (from, to) = (int.Parse(text[..dash], CultureInfo.InvariantCulture), int.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture));
    return to < from ? throw new ArgumentException($"--seeds {text}: the range is empty") : Enumerable.Range(from, to - from + 1).ToList();
}
