using SteelCI.Ports;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Running;

/// <summary>
/// What one invocation of the runner knows: the pipeline, its keys (and what went into each), the trainer bundle's hash
/// and the state. The bundle itself is obtained the first time an attempt needs it (a pinned one may need a look-up).
/// </summary>
internal sealed class RunContext(Pipeline pipeline, RunRequest request, string trainerHash, Func<Task<TrainerBundle>> bundle,
    IReadOnlyDictionary<string, string> keys, IReadOnlyDictionary<string, KeyParts> parts, RunState state)
{
    private Task<TrainerBundle>? _bundle;

    public Pipeline Pipeline { get; } = pipeline;
    public RunRequest Request { get; } = request;
    public string TrainerHash { get; } = trainerHash;
    /// <summary>The trainer bundle with <see cref="TrainerHash"/>; fetched or built once, when the first attempt needs it.</summary>
    public Task<TrainerBundle> BundleAsync() => _bundle ??= bundle();
    /// <summary>What went into each node's key.</summary>
    public IReadOnlyDictionary<string, KeyParts> Parts { get; } = parts;
    /// <summary>Content key of every node and external dataset, by name.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; } = keys;
    public RunState State { get; } = state;

    public StageState StageOf(string name) => State.Stages[name];

    public static bool IsDone(StageState stage) => stage.Status is StageStatus.Complete or StageStatus.Reused;
}
