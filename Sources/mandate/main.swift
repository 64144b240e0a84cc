import Foundation
import MandateCLI

exit(MandateCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
