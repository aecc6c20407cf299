// Command-line arguments of the build, read once.
public sealed class BuildParameters
{
    public string Target { get; init; }
    public string Configuration { get; init; }
    public string Pipeline { get; init; }
    public string Profile { get; init; }
    public string Data { get; init; }
    public bool Force { get; init; }
    public string Slots { get; init; }
    public string Workspace { get; init; }
    public string Filter { get; init; }
    public string Store { get; init; }
    public string Stage { get; init; }
    public string Release { get; init; }
    public string Output { get; init; }

    public static BuildParameters From(ICakeContext context) => new BuildParameters
    {
        Target = context.Argument("target", "Pipeline"),
        Configuration = context.Argument("configuration", "Release"),
        Pipeline = context.Argument("pipeline", context.Configuration.GetValue("SteelCI_Pipeline") ?? "kernels/severstal/steelci.yml"),
        Profile = context.Argument("profile", context.Configuration.GetValue("SteelCI_Profile") ?? "demo"),
        Data = context.Argument<string>("data", null),
        Force = context.HasArgument("force"),
        Slots = context.Argument<string>("slots", null),
        Workspace = context.Argument<string>("workspace", null),
        Filter = context.Argument<string>("filter", null),
        Store = context.Argument<string>("store", null),
        Stage = context.Argument<string>("stage", null),
        Release = context.Argument<string>("release", null),
        Output = context.Argument<string>("output", null),
    };
}
