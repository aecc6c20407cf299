using System.Globalization;
using SteelCI.Contracts;

namespace SteelCI.Training;

/// <summary>Everything a stage entry point needs: its configuration, inputs, output folder, threads and deadline.</summary>
public sealed class StageContext(StageConfig config, TrainerArguments arguments, TimeProvider time, DateTimeOffset deadline, TextWriter log)
{
    public StageConfig Config { get; } = config;
    public string Output { get; } = arguments.Output;
    public int Threads { get; } = arguments.Threads;
    public TimeProvider Time { get; } = time;
    public DateTimeOffset Deadline { get; } = deadline;
    public TimeSpan Remaining => Deadline - Time.GetUtcNow();

    /// <summary>"cuda" or "cpu": what the launcher chose (<see cref="TrainerDevice"/>); the manifest records it.</summary>
    public string DeviceName { get; init; } = "cpu";

    /// <summary>The torch device to put models and batches on.</summary>
    public TorchSharp.torch.Device Device => DeviceName == "cuda" ? TorchSharp.torch.CUDA : TorchSharp.torch.CPU;

    /// <summary>
    /// Once training wrote a periodic checkpoint: the files of the output the stage returns (the learning curve and the
    /// final weights, or the deadline's checkpoint) that replace that checkpoint's, renamed only with the manifest that
    /// <see cref="ManifestWriter"/> writes for the outcome, so a job killed during the final evaluation (or while the
    /// deadline's checkpoint is written) leaves the last periodic checkpoint whole to resume from. Null otherwise: the
    /// files are written in place.
    /// </summary>
    public PendingFiles? Finishing { get; internal set; }

    /// <summary>The folder holding a partial checkpoint of this stage to continue from, if the runner gave one.</summary>
    public string? ResumeDirectory => Config.ResumeFrom is { } name ? Input(name) : null;

    public string Input(string name) =>
        arguments.Inputs.TryGetValue(name, out var path) && Directory.Exists(path)
            ? path
            : throw new BadInputException($"stage {Config.Stage}: input '{name}' was not given or its folder does not exist");

    public void Log(string message) => log.WriteLine($"[{Config.Stage}] {message}");

    public string Param(string name, string fallback) => Config.Params.GetValueOrDefault(name) ?? fallback;

    public int Int(string name, int fallback) => Parse(name, fallback, s => int.Parse(s, CultureInfo.InvariantCulture));

    public double Double(string name, double fallback) => Parse(name, fallback, s => double.Parse(s, CultureInfo.InvariantCulture));

    private T Parse<T>(string name, T fallback, Func<string, T> parse)
    {
        if (!Config.Params.TryGetValue(name, out var text))
            return fallback;
        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            throw new BadInputException($"stage {Config.Stage}: param '{name}' = '{text}' is not a {typeof(T).Name}");
        }
    }
}
