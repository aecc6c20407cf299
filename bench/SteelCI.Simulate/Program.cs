using System.Globalization;
using SteelCI.Scheduling.Reporting;
using SteelCI.Scheduling.Simulation;

// dotnet run --project bench/SteelCI.Simulate -- [--accounts 6] [--jitter 0.15] [--seed 1] [--out folder]
// Prints the simulator table for 1..n accounts; with --out, also writes each scheduler run's plan text and Gantt PNG.
var maxAccounts = 6;
var jitter = 0.0;
var seed = 1;
string? output = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--accounts": maxAccounts = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--jitter": jitter = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--out": output = Next(); break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: steelci-simulate [--accounts N] [--jitter 0.15] [--seed 1] [--out folder]");
            return 2;
    }
}

var options = new SimulationOptions { Jitter = jitter, Seed = seed };
var rows = await SimulationBench.RunAsync(Enumerable.Range(1, maxAccounts), options);
Console.Write(SimulationTable.Format(rows, options));
if (output is not null)
{
    Directory.CreateDirectory(output);
    foreach (var row in rows)
    {
        var name = Path.Combine(output, $"severstal-{row.Accounts}-accounts");
        await File.WriteAllTextAsync(name + ".txt", PlanText.Format($"Severstal on {row.Accounts} account(s), simulated", row.Scheduler,
            SeverstalPlan.Stages(), options.RefreshPeriod));
        SteelCI.Scheduling.Charts.GanttChart.Save(row.Scheduler, $"Severstal on {row.Accounts} account(s)", name + ".png");
    }
    Console.WriteLine($"\nPlans and Gantt charts: {Path.GetFullPath(output)}");
}
return 0;
