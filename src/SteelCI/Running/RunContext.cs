using SteelCI.Ports;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Running;

/// <summary>What one invocation of the runner knows: the pipeline, its keys, the trainer bundle and the state.</summary>
internal sealed class RunContext(Pipeline pipeline, RunRequest request, TrainerBundle bundle,
    IReadOnlyDictionary<string, string> keys, RunState state)
{
    public Pipeline Pipeline { get; } = pipeline;
    public RunRequest Request { get; } = request;
    public TrainerBundle Bundle { get; } = bundle;
    /// <summary>Content key of every node and external dataset, by name.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; } = keys;
    public RunState State { get; } = state;

    public StageState StageOf(string name) => State.Stages[name];

    public static bool IsDone(StageState stage) => stage.Status is StageStatus.Complete or StageStatus.Reused;
}
