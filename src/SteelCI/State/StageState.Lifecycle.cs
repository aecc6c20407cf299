using System.Text.Json.Serialization;

namespace SteelCI.State;

/// <summary>The named moves of a stage's <see cref="StageStatus"/>; <see cref="StageState.Transitions"/> says from where each may be made.</summary>
public enum StageTransition
{
    /// <summary>An attempt is submitted for a ready stage.</summary>
    Start,
    /// <summary>The recorded state (or the backend, for an orphan) has an attempt still queued or running: carry on with it.</summary>
    Adopt,
    /// <summary>Its attempt published a complete output.</summary>
    Complete,
    /// <summary>Back to ready: a partial output to resume from, a lost attempt within the retries, or no active attempt left.</summary>
    Requeue,
    /// <summary>Its attempt failed (<see cref="FailureClass"/> says how), or a person cancelled it.</summary>
    Fail,
    /// <summary>An input failed or is blocked.</summary>
    Block,
    /// <summary>A person (<c>steelci retry</c>, <c>steelci run</c>) asks for a failed or blocked stage again.</summary>
    Retry,
    /// <summary>Its complete release exists and verifies (a stage this run did not train): taken from the store.</summary>
    Reuse,
    /// <summary>About to start again, its complete release was found published (a runner killed before saving, another machine).</summary>
    TakePublished,
    /// <summary>Reconciling, no complete release is found (or retraining is forced): to be trained again.</summary>
    Forget,
}

public sealed partial class StageState : IJsonOnDeserialized
{
    /// <summary>Each transition, the statuses it may be made from, and the status it leads to. Anything else is refused.</summary>
    public static IReadOnlyDictionary<StageTransition, (IReadOnlySet<StageStatus> From, StageStatus To)> Transitions { get; } =
        new Dictionary<StageTransition, (IReadOnlySet<StageStatus>, StageStatus)>
        {
            [StageTransition.Start] = (Set(StageStatus.Pending), StageStatus.Running),
            [StageTransition.Adopt] = (Set(StageStatus.Pending, StageStatus.Running), StageStatus.Running),
            [StageTransition.Complete] = (Set(StageStatus.Running), StageStatus.Complete),
            [StageTransition.Requeue] = (Set(StageStatus.Running), StageStatus.Pending),
            [StageTransition.Fail] = (Set(StageStatus.Running), StageStatus.Failed),
            [StageTransition.Block] = (Set(StageStatus.Pending), StageStatus.Blocked),
            [StageTransition.Retry] = (Set(StageStatus.Failed, StageStatus.Blocked), StageStatus.Pending),
            [StageTransition.Reuse] = (Set(StageStatus.Pending, StageStatus.Running, StageStatus.Complete, StageStatus.Reused), StageStatus.Reused),
            [StageTransition.TakePublished] = (Set(StageStatus.Pending), StageStatus.Complete),
            [StageTransition.Forget] = (Set(StageStatus.Pending, StageStatus.Running, StageStatus.Complete, StageStatus.Reused), StageStatus.Pending),
        };

    private static HashSet<StageStatus> Set(params StageStatus[] statuses) => [.. statuses];

    /// <summary>Whether <paramref name="transition"/> may be made from <paramref name="from"/>.</summary>
    public static bool Allows(StageStatus from, StageTransition transition) => Transitions[transition].From.Contains(from);

    public void Start(string name) => Move(name, StageTransition.Start);

    public void Adopt(string name) => Move(name, StageTransition.Adopt);

    public void Complete(string name, string release)
    {
        Move(name, StageTransition.Complete);
        Release = release;
    }

    public void Requeue(string name) => Move(name, StageTransition.Requeue);

    public void Fail(string name, FailureClass failure, string error)
    {
        Move(name, StageTransition.Fail);
        Failure = failure;
        Error = error;
    }

    public void Block(string name, string input)
    {
        Move(name, StageTransition.Block);
        Failure = FailureClass.Input;
        Error = $"input '{input}' did not finish";
    }

    public void Retry(string name)
    {
        Move(name, StageTransition.Retry);
        Failure = null;
        Error = null;
    }

    public void Reuse(string name, string release)
    {
        Move(name, StageTransition.Reuse);
        Release = release;
    }

    public void TakePublished(string name, string release)
    {
        Move(name, StageTransition.TakePublished);
        Release = release;
    }

    public void Forget(string name)
    {
        Move(name, StageTransition.Forget);
        Release = null;
    }

    private void Move(string name, StageTransition transition)
    {
        var (from, to) = Transitions[transition];
        if (!from.Contains(_status))
            throw new InvalidOperationException(
                $"stage '{name}' cannot {Word(transition)} while {Word(_status)} (only from {string.Join(" or ", from.Select(Word))})");
        _status = to;
    }

    private static string Word<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();

    /// <summary>A state written before failure classes were recorded learns them from its messages.</summary>
    void IJsonOnDeserialized.OnDeserialized() => Failure ??= FailureClasses.FromLegacyText(_status, Error);
}
