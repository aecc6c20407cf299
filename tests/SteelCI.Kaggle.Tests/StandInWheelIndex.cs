using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// Stand-ins for PyTorch's CUDA wheel index and PyPI, served on loopback as PEP 503 simple indexes: a torch wheel
/// (torch/lib/*.so and METADATA requiring one nvidia wheel) and that nvidia wheel (nvidia/cudnn/lib/*.so). The
/// libraries are text, not ELF: enough to rehearse fetching, checking and unpacking, never loading.
/// </summary>
public sealed class StandInWheelIndex : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Task _serving;
    private int _wheelsServed;

    public string TorchIndex { get; }
    public string PypiIndex { get; }
    public int WheelsServed => Volatile.Read(ref _wheelsServed);

    public StandInWheelIndex(string libtorch = "2.10.0")
    {
        var port = FreePort();
        var root = $"http://127.0.0.1:{port}/";
        TorchIndex = root + "whl/cu128";
        PypiIndex = root + "pypi/simple";
        var torch = $"torch-{libtorch}+cu128-cp312-cp312-manylinux_2_28_x86_64.whl";
        var cudnn = "nvidia_cudnn_cu12-9.10.2.21-py3-none-manylinux_2_27_x86_64.whl";
        Add("files/" + torch, Wheel(new()
        {
            ["torch/__init__.py"] = "",
            ["torch/lib/libtorch_cuda.so"] = "stand-in libtorch_cuda",
            ["torch/lib/libc10.so"] = "stand-in libc10",
            [$"torch-{libtorch}+cu128.dist-info/METADATA"] =
                $"Metadata-Version: 2.1\nName: torch\nVersion: {libtorch}+cu128\nRequires-Dist: filelock\n" +
                "Requires-Dist: nvidia-cudnn-cu12==9.10.2.21; platform_system == \"Linux\" and platform_machine == \"x86_64\"\n",
        }));
        Add("files/" + cudnn, Wheel(new() { ["nvidia/cudnn/lib/libcudnn.so.9"] = "stand-in cudnn", ["nvidia/cudnn/include/cudnn.h"] = "" }));
        Add("whl/cu128/torch/", Page(torch));
        Add("pypi/simple/nvidia-cudnn-cu12/", Page(cudnn));
        _listener.Prefixes.Add(root);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    private void Add(string path, byte[] bytes) => _files[path] = bytes;

    private byte[] Page(string wheel)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(_files["files/" + wheel]));
        return System.Text.Encoding.UTF8.GetBytes($"<html><body><a href=\"/files/{Uri.EscapeDataString(wheel)}#sha256={sha}\">{wheel}</a></body></html>");
    }

    private static byte[] Wheel(Dictionary<string, string> entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(text);
            }
        return memory.ToArray();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException)
            {
                return; // stopped
            }
            var path = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
            if (_files.TryGetValue(path, out var bytes))
            {
                if (path.EndsWith(".whl", StringComparison.Ordinal))
                    Interlocked.Increment(ref _wheelsServed);
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
            }
            else
                context.Response.StatusCode = 404;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
