using SteelCI.Contracts;
using TorchSharp;
using TorchSharp.PyBridge;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SteelCI.Training;

/// <summary>resume.json: where a partial stage stopped. Format 1.</summary>
public sealed record ResumeState(int Format, int EpochsDone, int EpochsTotal, double SecondsPerEpoch);

/// <summary>
/// Checkpoint files: weights as safetensors (readable by PyTorch and any safetensors reader), and for a partial stage
/// the optimizer state and resume.json. A file with a missing tensor or a wrong shape is refused naming both.
/// </summary>
public static class Checkpoint
{
    public const string Weights = "model.safetensors";
    public const string Optimizer = "optimizer.bin";
    public const string Resume = "resume.json";

    public static void SaveWeights(nn.Module model, string directory, string file = Weights) =>
        model.save_safetensors(Path.Combine(directory, file));

    public static void LoadWeights(nn.Module model, string directory, string file = Weights)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new BadInputException($"checkpoint {path} is missing");
        var expected = model.state_dict();
        var stored = Safetensors.LoadStateDict(path);
        try
        {
            foreach (var (name, tensor) in expected)
            {
                if (!stored.TryGetValue(name, out var found))
                    throw new BadInputException($"{path}: tensor '{name}' is missing");
                if (!found.shape.SequenceEqual(tensor.shape))
                    throw new BadInputException($"{path}: tensor '{name}' has shape [{string.Join(",", found.shape)}], the model needs [{string.Join(",", tensor.shape)}]");
            }
            foreach (var name in stored.Keys.Where(k => !expected.ContainsKey(k)))
                throw new BadInputException($"{path}: tensor '{name}' does not belong to this model");
        }
        finally
        {
            foreach (var tensor in stored.Values)
                tensor.Dispose();
        }
        model.load_safetensors(path);
    }

    public static void SaveResume(string directory, OptimizerHelper optimizer, ResumeState state)
    {
        optimizer.save_state_dict(Path.Combine(directory, Optimizer));
        File.WriteAllText(Path.Combine(directory, Resume), Json.Serialize(state));
    }

    public static ResumeState LoadResume(string directory, OptimizerHelper optimizer)
    {
        var path = Path.Combine(directory, Resume);
        if (!File.Exists(path))
            throw new BadInputException($"resume point {directory} has no {Resume}");
        var state = Json.Read<ResumeState>(path);
        if (state.Format != 1)
            throw new BadInputException($"{path}: resume format {state.Format} is not supported");
        optimizer.load_state_dict(Path.Combine(directory, Optimizer));
        return state;
    }
}
