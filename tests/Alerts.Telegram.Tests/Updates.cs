using System.Text.Json;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Alerts.Telegram.Tests;

/// <summary>Builds updates from JSON as Telegram sends them, so the tests exercise real deserialization.</summary>
public static class Updates
{
    // Update ids unique across the tests of this process (a box, so the counter itself stays readonly).
    private static readonly System.Runtime.CompilerServices.StrongBox<int> NextId = new(1000);

    public static string MessageJson(string text, long chatId = 42, long userId = 7, string chatType = "private", int? updateId = null, string? senderChat = null) =>
        $$"""
        {"update_id":{{updateId ?? Interlocked.Increment(ref NextId.Value)}},
         "message":{"message_id":1,"date":1764600000,"text":{{JsonSerializer.Serialize(text)}},
           "from":{"id":{{userId}},"is_bot":false,"first_name":"Anna"},
           {{(senderChat is null ? "" : $"\"sender_chat\":{senderChat},")}}
           "chat":{"id":{{chatId}},"type":"{{chatType}}"{{(chatType == "private" ? ",\"first_name\":\"Anna\"" : ",\"title\":\"Gruppe\"")}} } } }
        """;

    public static Update Message(string text, long chatId = 42, long userId = 7, string chatType = "private", int? updateId = null, string? senderChat = null) =>
        Parse(MessageJson(text, chatId, userId, chatType, updateId, senderChat));

    public static Update Migration(long oldChatId, long newChatId) => Parse($$"""
        {"update_id":{{Interlocked.Increment(ref NextId.Value)}},
         "message":{"message_id":2,"date":1764600000,"migrate_to_chat_id":{{newChatId}},
           "chat":{"id":{{oldChatId}},"type":"group","title":"Gruppe"} } }
        """);

    public static Update BotRemoved(long chatId, string status = "kicked") => Parse($$"""
        {"update_id":{{Interlocked.Increment(ref NextId.Value)}},
         "my_chat_member":{"chat":{"id":{{chatId}},"type":"private","first_name":"Anna"},"from":{"id":7,"is_bot":false,"first_name":"Anna"},"date":1764600000,
           "old_chat_member":{"status":"member","user":{"id":123456,"is_bot":true,"first_name":"Alerts"} },
           "new_chat_member":{"status":"{{status}}",{{(status == "kicked" ? "\"until_date\":0," : "")}}"user":{"id":123456,"is_bot":true,"first_name":"Alerts"} } } }
        """);

    public static Update Parse(string json) => JsonSerializer.Deserialize<Update>(json, JsonBotAPI.Options)!;
}
