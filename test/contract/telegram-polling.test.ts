import { contract } from "./journeys.js";

contract("telegram-polling");
