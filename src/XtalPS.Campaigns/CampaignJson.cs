using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using XtalPS.Formats;

namespace XtalPS.Campaigns
{
    /// <summary>The JSON files of a campaign folder (campaign.json, the chunk records): indented, nulls left out, written atomically.</summary>
    internal static class CampaignJson
    {
        public static readonly JsonSerializerOptions Options = new JsonSerializerOptions
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };

        public static T? Read<T>(string path) => JsonSerializer.Deserialize<T>(File.ReadAllText(path, Encoding.UTF8), Options);

        public static void Write<T>(string path, T value)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Options);
            AtomicFile.Write(path, s => s.Write(bytes, 0, bytes.Length));
        }
    }
}
