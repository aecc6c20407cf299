using System.Diagnostics;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Scheduling.Tests.Ticking;

/// <summary>The process died here: nothing after the throwing line of the tick runs.</summary>
public sealed class SimulatedCrash(string site) : Exception($"simulated crash at {site}")
{
    public string Site { get; } = site;
}

/// <summary>
/// A state store that dies at chosen saves, either just before the write (the previous state stays) or just after
/// it (the new state is durable, nothing after it ran). Each save is labelled with the runner's code that asked for
/// it (from the stack), so a run can show it crashed at every point where state is persisted.
/// </summary>
public sealed class CrashingStateStore(IStateStore inner, Func<string, bool> crashHere, Random random) : IStateStore
{
    public int Saves { get; private set; }
    public Dictionary<string, int> Crashes { get; } = new();
    public Dictionary<string, int> SitesSeen { get; } = new();

    public Task<IAsyncDisposable> LockAsync(CancellationToken cancellationToken) => inner.LockAsync(cancellationToken);

    public Task<RunState?> LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

    public async Task SaveAsync(RunState state, CancellationToken cancellationToken)
    {
        Saves++;
        var site = Site(state);
        SitesSeen[site] = SitesSeen.GetValueOrDefault(site) + 1;
        if (!crashHere(site))
        {
            await inner.SaveAsync(state, cancellationToken);
            return;
        }
        var after = random.Next(2) == 1;
        if (after)
            await inner.SaveAsync(state, cancellationToken);
        var label = $"{site} ({(after ? "after" : "before")} the write)";
        Crashes[label] = Crashes.GetValueOrDefault(label) + 1;
        throw new SimulatedCrash(label);
    }

    /// <summary>The runner method that saved: PipelineRunner.BeginAsync, .StepAsync, .TickAsync, AttemptStarter.StartAsync (before or after submit).</summary>
    public static string Site(RunState state)
    {
        foreach (var frame in new StackTrace().GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            if (type is null)
                continue;
            var owner = type.DeclaringType;
            if (!type.Name.StartsWith('<') || owner?.Namespace != "SteelCI.Running")
                continue; // only async state machines of the runner: <Method>d__N nested in their class
            var method = type.Name[1..type.Name.IndexOf('>')];
            if (method is "SaveAsync" or "")
                continue; // the save itself, or the lambda that hands it to the starter
            if (method == "StartAsync")
                return state.Stages.Values.SelectMany(s => s.Attempts).Any(a => a.IsActive && a.Handle is null)
                    ? "AttemptStarter.StartAsync, before submit"
                    : "AttemptStarter.StartAsync, after submit";
            return $"{owner.Name}.{method}";
        }
        return "unknown";
    }
}
