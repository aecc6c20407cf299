using SteelCI.Contracts;
using static TorchSharp.torch;

namespace SteelCI.Training;

/// <summary>
/// The trainer's main: parses the contract's arguments, runs the entry point the stage names, writes the manifest and
/// ends the log with the end marker. Exit codes: 0 complete, 3 partial, 2 bad input, 1 crash.
/// </summary>
public static class TrainerHost
{
    public static int Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, Func<StageContext, StageOutcome>> entries,
        TimeProvider time, TextWriter log)
    {
        var started = time.GetUtcNow();
        try
        {
            var arguments = TrainerArguments.Parse(args);
            var config = ReadConfig(arguments.ConfigPath);
            if (!entries.TryGetValue(config.Entry, out var entry))
                throw new BadInputException($"entry '{config.Entry}' is not one of this trainer's: {string.Join(", ", entries.Keys)}");
            Directory.CreateDirectory(arguments.Output);
            set_num_threads(arguments.Threads);
            if (OneDnn.Disable()) // see OneDnn: its convolutions corrupt gradients on some CPUs
                throw new InvalidOperationException("libtorch kept oneDNN enabled after setUserEnabledMkldnn(false)");
            if (OneDnn.DisableNnpack()) // see OneDnn.DisableNnpack: a log line per convolution otherwise
                throw new InvalidOperationException("libtorch kept NNPACK enabled after setUserEnabledNNPACK(false)");
            var heapKept = NativeHeap.KeepFreedMemory(); // see NativeHeap: libtorch's own convolutions, 5-10x faster
            var context = new StageContext(config, arguments, time, started + arguments.TimeLimit, log)
            {
                DeviceName = TrainerDevice.FromEnvironment(),
            };
            context.Log($"entry {config.Entry}, {arguments.Threads} thread(s), device {context.DeviceName}, time limit {arguments.TimeLimit}, oneDNN off, " +
                (heapKept ? "freed native memory kept" : "freed native memory returned (no glibc)"));
            var outcome = entry(context);
            var manifestHash = ManifestWriter.Write(context, outcome, context.DeviceName);
            var status = outcome.Status == OutputStatus.Complete ? "complete" : "partial";
            context.Log($"{status} after {time.GetUtcNow() - started:hh\\:mm\\:ss}; metrics: " +
                string.Join(", ", outcome.Metrics.Select(m => $"{m.Key}={m.Value:0.####}")));
            log.WriteLine(TrainerContract.EndMarker(status, manifestHash));
            log.Flush();
            return outcome.Status == OutputStatus.Complete ? TrainerContract.ExitComplete : TrainerContract.ExitPartial;
        }
        catch (BadInputException error)
        {
            return Failed(log, $"bad input: {error.Message}", TrainerContract.ExitBadInput);
        }
        catch (Exception error) // the process boundary: any other failure becomes a crash with an end marker
        {
            return Failed(log, $"crashed: {error}", TrainerContract.ExitCrashed);
        }
    }

    private static StageConfig ReadConfig(string path)
    {
        if (!File.Exists(path))
            throw new BadInputException($"stage configuration {path} not found");
        StageConfig config;
        try
        {
            config = Json.Read<StageConfig>(path);
        }
        catch (InvalidDataException error)
        {
            throw new BadInputException(error.Message);
        }
        if (config.Format != StageConfig.CurrentFormat)
            throw new BadInputException($"{path}: format '{config.Format}' is not {StageConfig.CurrentFormat}; rebuild the kernel with this SteelCI");
        return config;
    }

    private static int Failed(TextWriter log, string message, int code)
    {
        log.WriteLine($"[trainer] {message}");
        log.WriteLine(TrainerContract.EndMarker("failed", null));
        log.Flush();
        return code;
    }
}
