package dev.jchat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jchat} command: one subcommand per pipeline stage. */
@Command(name = "jchat",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Build an LLM from raw web pages to a chat assistant, on the JVM.",
        subcommands = {RunCommand.class, DataCommand.class, TokenizerCommand.class, TokenizeCommand.class,
                PretrainCommand.class, EvalCommand.class, GenerateCommand.class, ExportCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Launcher commands (./jchat script): ./jchat test   build and run the whole test suite"})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        var cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("jchat: " + message(e));
            if (System.getenv("JCHAT_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli;
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        return message != null ? message : e.toString();
    }

    /** The version from the jar manifest (the Maven project version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jchat " + (version != null ? version : "(development build)")
                    + " on Java " + Runtime.version()};
        }
    }
}
